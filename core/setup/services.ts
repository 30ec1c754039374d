// The services a setup UI (the Ink wizard, the plain prompts, the headless demo) calls. Plain async
// functions behind one interface so tests can inject fakes and the UIs stay thin.
import type { ChangeMode, SourceConfig } from '../config/schema.js';
import type { ETicket } from '../mapping/eticket.js';
import type { LookupSpec, SkipRule } from '../mapping/template.js';
import type { MappingEval } from './editor.js';

export const ENVIRONMENTS = ['sandbox', 'uat', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** One machine or clock check shown on the welcome screen (and after the token and database steps). */
export interface EnvCheck {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
}

export type TokenCheck =
  { ok: true; accountId: string; accountName: string; environment: string; clock?: EnvCheck } | { ok: false; message: string };

/** One way Outpost can see changes in a table, with why and what it needs from a DBA. */
export interface ChangeOption {
  mode: ChangeMode;
  column?: string;
  /** Works with what the database has today. */
  ready: boolean;
  reason: string;
  needs: string | null;
}

export interface TableInfo {
  name: string;
  rowCount: number | null;
  columns: string[];
  suggestedKey: string[];
  suggestedChangeColumn: string | null;
  /** The best change mode discovery found for this table (Change Tracking > rowversion > timestamp > increasing > snapshot). */
  suggestedChangeMode?: ChangeMode;
  /** Why this table looks like the ticket table, and what each change mode needs from a DBA. */
  notes?: string[];
  /** Every change mode that fits, best first (the change-detection step lists them). */
  change?: ChangeOption[];
}

export type ConnectionResult =
  | {
      ok: true;
      serverVersion: string;
      latencyMs: number;
      tables: TableInfo[];
      /** The database clock against this machine's. */
      clock?: EnvCheck;
      /** The database's own time zone setting, when it is an IANA name. */
      timezone?: string | null;
    }
  | { ok: false; message: string; code?: string };

export interface SampleResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** Typed ticket numbers no row matched. */
  notFound?: string[];
}

/** Which sample tickets to pull: the latest N, or the numbers typed from paper tickets. */
export interface SampleSpec {
  latest?: number;
  ticketNumbers?: string[];
  /** The column typed numbers are looked up in (before the mapping says where ticketNumber comes from). */
  numberColumn?: string;
}

export interface MappedSample {
  ticketNumber: string;
  raw: Record<string, unknown>;
  /** The mapped e-ticket, or null when the row is filtered. */
  ticket: ETicket | null;
  /** Plain reasons the row would be filtered (empty when it maps). */
  problems: string[];
}

/** Where a secret the wizard was given goes. */
export type SecretPlacement =
  /** `env:NAME`: the service must have NAME in its environment (the wizard prints the line to set it). */
  | { kind: 'env'; name: string }
  /** `secret:NAME` in the 0600 secrets file beside the config (core/config/secrets.ts). */
  | { kind: 'file'; name: string }
  /** The value itself in the config file; only when chosen. */
  | { kind: 'inline' };

/** What the wizard has collected so far; becomes a profile in the config file at handoff. */
export interface SetupDraft {
  profileName: string;
  environment?: Environment;
  apiUrl: string;
  token: string;
  source: SourceConfig;
  table: string;
  key: string[];
  changeColumn: string | null;
  /** The change mode chosen (the table's suggestion unless overridden); saved as is. */
  changeMode?: ChangeMode;
  /** The plant's IANA time zone: ticket times in the database are read as wall-clock time there. */
  timezone?: string;
  template: string;
  /** Field overrides edited in the mapping editor (config mapping.fields: dotted path → expression, null unmaps). */
  fields?: Record<string, unknown>;
  /** Row rules added in the mapping editor (config mapping.skip): matching rows are never sent, with the reason. */
  skip?: SkipRule[];
  /** Which samples to pull. */
  samples?: SampleSpec;
  /** Where the token and the database password go. */
  secrets?: { token?: SecretPlacement; password?: SecretPlacement };
}

export type HandoffAction = 'start' | 'service' | 'save';

export interface HandoffResult {
  configPath: string;
  /** The dashboard URL when a daemon runs (with its one-time secret). */
  dashboardUrl?: string;
  /** What happened to the daemon, said plainly. */
  daemon?: 'started' | 'reloaded' | 'not reloaded' | 'not started' | 'service installed';
  /** Sentences for the closing screen (what was done, what to run next, lines to set secrets). */
  notes?: string[];
}

/** A lookup the editor can offer: a foreign key of the ticket table to another table, and that table's columns. */
export interface LookupOption {
  /** "customer_id → customers" */
  label: string;
  table: string;
  /** Referenced column → this table's column. */
  on: Record<string, string>;
  columns: string[];
}

export type { LookupSpec };

/** A ticket the API acknowledged after the handoff. */
export interface AckedTicket {
  ticketNumber: string;
  action: string;
  at: string;
}

export interface SetupServices {
  /** Machine checks for the welcome screen: Node version, free disk. */
  checkEnvironment?(): Promise<EnvCheck[]>;
  checkToken(apiUrl: string, token: string): Promise<TokenCheck>;
  testConnection(source: SourceConfig): Promise<ConnectionResult>;
  pullSample(draft: SetupDraft, spec: number | SampleSpec): Promise<SampleResult>;
  previewMapping(draft: SetupDraft, rows: Record<string, unknown>[]): Promise<MappedSample[]>;
  /** The mapping editor's model: every field on every sample, and how many samples map. */
  evaluateMapping?(draft: SetupDraft, rows: Record<string, unknown>[]): Promise<MappingEval>;
  /** Lookups through the foreign keys discovery found on the ticket table. */
  lookupOptions?(draft: SetupDraft): Promise<LookupOption[]>;
  /** Saves the profile and, per `action` (default start), starts or reloads the daemon or installs the service. */
  handoff(draft: SetupDraft, action?: HandoffAction): Promise<HandoffResult>;
  /** Tickets acknowledged by the API for this profile since the handoff (newest last). */
  recentAcks?(draft: SetupDraft): Promise<AckedTicket[]>;
}
