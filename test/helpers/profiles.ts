import type { Profile, ProfileInput } from '../../core/config/schema.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { DEMO_TIMEZONE } from '../../core/demo/plant.js';

/**
 * The profile the validate tests check: a ticket table keyed by TicketID, read by LastModified
 * (timestamp mode, 300 s lookback, America/Chicago) and mapped with the generic template. Only
 * what differs per database is passed.
 */
export function timestampProfile(p: Pick<Profile, 'name' | 'api' | 'source' | 'table'>): Profile {
  return {
    ...p,
    environment: 'sandbox',
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified', lookbackSeconds: 300, timezone: 'America/Chicago' },
    mapping: { template: 'generic-scale-ticket', fields: {} },
    schedule: { every: '5s' },
    batchSize: 200,
    enabled: true,
  };
}

/**
 * A profile of the demo plant's ticket table (core/demo/plant.ts) as a config file holds it: keyed by
 * TicketID, read by LastModified in the demo's time zone, mapped with the generic template and the
 * demo's plant and supplier names, polled every second. Only what differs per test is passed.
 */
export function demoTableProfile(p: {
  name: string;
  api: { url: string; token: string };
  source: ProfileInput['source'];
  batchSize: number;
  lookbackSeconds?: number;
}): ProfileInput {
  const lookback = p.lookbackSeconds === undefined ? {} : { lookbackSeconds: p.lookbackSeconds };
  return {
    name: p.name,
    api: p.api,
    source: p.source,
    table: 'Tickets',
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified', ...lookback, timezone: DEMO_TIMEZONE },
    mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
    schedule: { every: '1s' },
    batchSize: p.batchSize,
  };
}
