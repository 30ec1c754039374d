import type { Profile } from '../../core/config/schema.js';

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
