// The config file contract (docs/design.md §2.2). One zod schema is the source of truth: it validates files,
// refuses unknown keys with the path of the bad key, and yields the TypeScript types.
import { z } from 'zod';

/** A secret is given inline or as `env:NAME` (resolved at use time, never written back). */
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

const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration like 500ms, 5s, 2m or 1h');

export const profileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dot, dash or underscore'),
  environment: z.enum(['sandbox', 'uat', 'production']).default('sandbox'),
  api: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
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
      lookbackSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(300),
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
  schedule: z.strictObject({ every: duration }).default({ every: '5s' }),
  batchSize: z.number().int().min(1).max(5000).default(200),
  enabled: z.boolean().default(true),
});
export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;

export const configSchema = z
  .strictObject({ profiles: z.array(profileSchema) })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.profiles.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'name'], message: `duplicates profile "${p.name}"` });
      seen.add(p.name);
    });
  });
export type Config = z.infer<typeof configSchema>;

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration like 5s`);
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']);
}
