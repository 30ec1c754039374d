// The services a setup UI (the Ink wizard, the plain prompts, the headless demo) calls. Plain async
// functions behind one interface so tests can inject fakes and the UIs stay thin.
import type { ChangeMode, SourceConfig } from '../config/schema.js';
import type { ETicket } from '../mapping/eticket.js';

export type TokenCheck =
  | { ok: true; accountId: string; accountName: string; environment: string }
  | { ok: false; message: string };

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
}

export type ConnectionResult =
  | { ok: true; serverVersion: string; latencyMs: number; tables: TableInfo[] }
  | { ok: false; message: string; code?: string };

export interface SampleResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export interface MappedSample {
  ticketNumber: string;
  raw: Record<string, unknown>;
  /** The mapped e-ticket, or null when the row is filtered. */
  ticket: ETicket | null;
  /** Plain reasons the row would be filtered (empty when it maps). */
  problems: string[];
}

/** What the wizard has collected so far; becomes a profile in the config file at handoff. */
export interface SetupDraft {
  profileName: string;
  apiUrl: string;
  token: string;
  source: SourceConfig;
  table: string;
  key: string[];
  changeColumn: string | null;
  /** Change mode; the table's suggestion when not given, else timestamp. */
  changeMode?: ChangeMode;
  template: string;
}

export interface SetupServices {
  checkToken(apiUrl: string, token: string): Promise<TokenCheck>;
  testConnection(source: SourceConfig): Promise<ConnectionResult>;
  pullSample(draft: SetupDraft, limit: number): Promise<SampleResult>;
  previewMapping(draft: SetupDraft, rows: Record<string, unknown>[]): Promise<MappedSample[]>;
  /** Saves the profile, starts the daemon, returns the dashboard URL (with its one-time secret). */
  handoff(draft: SetupDraft): Promise<{ dashboardUrl: string; configPath: string }>;
}
