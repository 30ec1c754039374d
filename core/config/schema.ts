// The config file contract (docs/design.md §2.2). One zod schema is the source of truth: it validates files,
// refuses unknown keys with the path of the bad key, and yields the TypeScript types.
import { z } from 'zod';

/** A secret is given inline, as `env:NAME` or as `secret:NAME` (see secrets.ts; resolved at use time, never written back). */
export const secretRef = z.string().min(1, 'must not be empty');

export const drivers = ['mssql', 'postgres', 'mysql', 'sqlite'] as const;
export type Driver = (typeof drivers)[number];

export const changeModes = ['rowversion', 'changeTracking', 'timestamp', 'increasing', 'snapshot'] as const;
export type ChangeMode = (typeof changeModes)[number];

export const sourceSchema = z
  .strictObject({
    driver: z.enum(drivers),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    password: secretRef.optional(),
    file: z.string().min(1).optional(),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((s, ctx) => {
    if (s.driver === 'sqlite' && !s.file) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'is required for the sqlite driver' });
    }
    if (s.driver !== 'sqlite' && !s.host) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `is required for the ${s.driver} driver` });
    }
  });
export type SourceConfig = z.infer<typeof sourceSchema>;

const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration like 500ms, 5s, 2m or 1h');

/** Schedules: at least 1 s (a shorter one spins a core), at most 24 h (Node timers overflow past ~24.8 days). */
export const MIN_SCHEDULE_MS = 1000;
export const MAX_SCHEDULE_MS = 24 * 3_600_000;
const scheduleEvery = duration.refine(
  (d) => {
    if (!/^\d+(\.\d+)?(ms|s|m|h)$/.test(d)) return true; // reported by the pattern
    const ms = parseDuration(d);
    return ms >= MIN_SCHEDULE_MS && ms <= MAX_SCHEDULE_MS;
  },
  { message: 'must be at least 1s and at most 24h' },
);

/** An API URL carries no credentials: the token goes in api.token (a URL is logged and shown). */
const apiUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL like https://api.example.com' }).refine(
  (u) => {
    try {
      const url = new URL(u);
      return !url.username && !url.password;
    } catch {
      return true; // reported by z.url
    }
  },
  { message: 'must not contain a user name or password; put the account token in api.token instead' },
);

export const profileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dot, dash or underscore'),
  environment: z.enum(['sandbox', 'uat', 'production']).default('sandbox'),
  api: z.strictObject({
    url: apiUrl,
    token: secretRef,
    caFile: z.string().min(1).optional(),
  }),
  source: sourceSchema,
  table: z.string().min(1),
  key: z.array(z.string().min(1)).min(1),
  change: z
    .strictObject({
      mode: z.enum(changeModes),
      column: z.string().min(1).optional(),
      lookbackSeconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 3600)
        .default(300),
      timezone: z.string().min(1).optional(),
      /**
       * Rows deleted at the source (found by `outpost reconcile` and the daemon's hourly sweep):
       * "report" (the default, when absent) lists them; "void" also sends each as status voided, voidReason
       * "deleted at the source".
       */
      deletes: z.enum(['report', 'void']).optional(),
    })
    .superRefine((c, ctx) => {
      if ((c.mode === 'timestamp' || c.mode === 'rowversion' || c.mode === 'snapshot') && !c.column) {
        ctx.addIssue({ code: 'custom', path: ['column'], message: `is required for change mode ${c.mode}` });
      }
    }),
  mapping: z.strictObject({
    template: z.string().min(1),
    fields: z.record(z.string(), z.unknown()).default({}),
    /** Row rules (core/mapping/template.ts SkipRule), checked after the template's own; validated when the mapper is built. */
    skip: z.array(z.unknown()).max(20).optional(),
  }),
  schedule: z.strictObject({ every: scheduleEvery }).default({ every: '5s' }),
  batchSize: z.number().int().min(1).max(5000).default(200),
  enabled: z.boolean().default(true),
});
export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;

/** The config file's format version (the `version` key); older files are migrated when loaded (migrate.ts). */
export const CONFIG_VERSION = 1;

/** The daemon's log file (core/log.ts): level and disk budget (default 10 MiB × (1 + 5 files) = 60 MiB). */
export const logsSchema = z.strictObject({
  level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  maxFileMiB: z.number().min(1).max(1024).default(10),
  files: z.number().int().min(1).max(100).default(5),
});

export const configSchema = z
  .strictObject({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    logs: logsSchema.optional(),
    profiles: z.array(profileSchema),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.profiles.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'name'], message: `duplicates profile "${p.name}"` });
      seen.add(p.name);
    });
  });
export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration like 5s`);
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']);
}
