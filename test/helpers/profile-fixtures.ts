// A profile as a user writes it in outpost.json, before parseConfig fills in the defaults: the
// tests that need a valid config give only what they are about (name, API, source).

/** The demo Tickets table, read by LastModified (timestamp mode) and mapped with generic-scale-ticket. */
export function writtenProfile(name: string, api: { url: string; token: string }, source: Record<string, unknown>) {
  return {
    name,
    api,
    source,
    table: 'Tickets',
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified' },
    mapping: { template: 'generic-scale-ticket' },
  };
}
