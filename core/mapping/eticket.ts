// eTicket v1 (docs/design.md §2.4): the JSON Outpost posts. This zod schema is the single source of truth:
// the TypeScript type comes from it, and so does the JSON Schema shipped as
// templates/eticket-v1.schema.json and the reference docs/eticket-v1.md (core/mapping/eticket-docs.ts
// generates both; a unit test fails when the shipped files drift from this file).
//
// Every field carries its meaning, unit and an example (`doc()` below). Grounded in AASHTO MDMS-1's
// source block, NCDOT's e-ticket field list, Command Alkon's TICK/TKTL layout and UN/ECE Rec 20 units.
import { z } from 'zod';

export const ETICKET_SCHEMA_VERSION = 'eticket/v1';

/** Attaches the description (meaning, unit) and one example; shows up in the JSON Schema and the docs. */
function doc<T extends z.ZodType>(schema: T, description: string, example?: unknown): T {
  return schema.meta(example === undefined ? { description } : { description, examples: [example] });
}

const isoWithOffset = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/, 'must be ISO 8601 with an offset');

/** UN/ECE Rec 20 unit codes Outpost emits. */
export const units = ['LBR', 'STN', 'TNE', 'KGM', 'MTQ', 'YDQ', 'EA'] as const;

const UNIT_DOC =
  'UN/ECE Rec 20 unit code: LBR pound, STN short ton (2000 lb), TNE metric tonne (1000 kg), KGM kilogram, MTQ cubic metre, YDQ cubic yard, EA each';

const party = (what: string, idExample: string, nameExample: string) =>
  z.strictObject({
    id: doc(z.string(), `${what} code or account number in the plant's system`, idExample).optional(),
    name: doc(z.string().min(1), `${what} name as printed on the ticket`, nameExample),
  });

const quantity = (what: string, value: number, unit: (typeof units)[number]) =>
  z.strictObject({
    value: doc(z.number().finite(), `${what}, in the unit given by \`unit\`; a finite decimal number`, value),
    unit: doc(z.enum(units), UNIT_DOC, unit),
  });

export const lineSchema = z.strictObject({
  lineNumber: doc(z.number().int().min(1), 'position of the line on the ticket, from 1', 1).optional(),
  productCode: doc(z.string().min(1), "product or material code in the plant's system", 'HMA-12.5'),
  productDescription: doc(z.string().min(1), 'product description as printed on the ticket', 'Superpave 12.5mm PG 64-22'),
  materialCategory: doc(
    z.enum(['asphalt', 'concrete', 'aggregate', 'other']),
    'kind of material: asphalt (hot/warm mix), concrete (ready-mix), aggregate (stone, sand, base), other',
    'asphalt',
  ),
  quantity: doc(
    quantity('quantity billed on this line', 25, 'STN'),
    'the quantity billed (pay quantity) on this line, e.g. net tons or cubic yards',
  ),
  weighMethod: doc(
    z.enum(['scale', 'count', 'volume', 'manual']),
    'how the quantity was measured: scale (weighed), count (pieces), volume (batched volume), manual (keyed in)',
    'scale',
  ),
  grossWeight: doc(quantity('gross weight (truck + load)', 80000, 'LBR'), 'gross weight: loaded truck on the scale').optional(),
  tareWeight: doc(quantity('tare weight (empty truck)', 30000, 'LBR'), 'tare weight: the empty truck').optional(),
  netWeight: doc(quantity('net weight (gross − tare)', 50000, 'LBR'), 'net weight of the load: gross minus tare').optional(),
  mixDesignId: doc(z.string(), 'mix design / job mix formula (JMF) id approved for the project', 'JMF-2231').optional(),
  cumulativeQuantity: doc(
    quantity('quantity delivered so far, this load included', 310.5, 'STN'),
    'quantity delivered so far on the order or project for this product, this load included',
  ).optional(),
  temperature: doc(
    z.strictObject({
      value: doc(z.number().finite(), 'load temperature at the plant, in `unit`', 305),
      unit: doc(z.enum(['FAH', 'CEL']), 'UN/ECE Rec 20 code: FAH degree Fahrenheit, CEL degree Celsius', 'FAH'),
    }),
    'temperature of the load when it left the plant (asphalt)',
  ).optional(),
  payItem: doc(z.string(), 'DOT contract pay item number this line is paid under', '406-0012').optional(),
});

export const eticketSchema = z
  .strictObject({
    schemaVersion: doc(z.literal(ETICKET_SCHEMA_VERSION), 'version of this format; always "eticket/v1"', ETICKET_SCHEMA_VERSION),
    ticketId: doc(
      z.string().min(1),
      'stable id of the ticket, built by Outpost from the profile name and the source key (`profile:key`); the receiver upserts by it',
      'plant-12:1001',
    ),
    revision: doc(
      z.string().min(1),
      'content hash of the ticket (r1- + SHA-256 of its canonical JSON, without source.recordModifiedAt); changes whenever what the ticket says changes',
      'r1-3b7e…',
    ),
    status: doc(z.enum(['issued', 'voided']), 'issued, or voided at the scale house; voided tickets are sent, never dropped', 'issued'),
    voidReason: doc(z.string(), 'why the ticket was voided (only with status voided)', 'Wrong customer').optional(),
    ticketNumber: doc(z.string().min(1), 'the number printed on the paper ticket, trimmed', '100234'),
    issuedAt: doc(
      isoWithOffset,
      "when the ticket was issued: ISO 8601 with the plant zone's UTC offset at that moment. A local time in the DST fall-back hour takes the earlier (daylight) instant; one in the spring-forward gap moves forward by the gap",
      '2026-06-15T07:42:10-05:00',
    ),
    issuedAtLocal: doc(
      z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/),
      'the same moment as the plant wall clock shows it (ISO 8601 without offset), as printed on the ticket',
      '2026-06-15T07:42:10',
    ),
    plantTimeZone: doc(z.string().min(1), 'IANA time zone of the plant', 'America/Chicago'),
    plant: doc(
      z.strictObject({
        id: doc(z.string().min(1), "plant code in the plant's system", 'P12'),
        name: doc(z.string().min(1), 'plant name', 'Riverside Asphalt & Aggregates'),
      }),
      'the plant (scale house) that issued the ticket',
    ),
    supplier: doc(party('supplier', 'RMC', 'Riverside Materials Co.'), 'the company selling the material'),
    customer: doc(party('customer', 'C-1040', 'Hill County Paving'), 'the company buying the material'),
    truck: doc(
      z.strictObject({ id: doc(z.string().min(1), 'truck number as printed on the ticket', 'T-114') }),
      'the truck that hauled the load',
    ),
    trailers: doc(
      z.array(z.strictObject({ id: doc(z.string().min(1), 'trailer number', 'TR-22') })),
      'trailers pulled by the truck, in order',
    ).optional(),
    lines: doc(z.array(lineSchema).min(1), 'the products on the ticket, at least one'),
    loadNumber: doc(z.string(), 'load number of the day, order or project', '7').optional(),
    weighmaster: doc(z.string(), 'name or id of the weighmaster who issued the ticket', 'J. Smith').optional(),
    contractNumber: doc(z.string(), 'contract number the load is delivered under', 'C-2026-118').optional(),
    dotProjectCode: doc(z.string(), 'state DOT project / contract code', 'DOT-22-0114').optional(),
    jobNumber: doc(z.string(), "customer's job number", 'J-4410').optional(),
    orderNumber: doc(z.string(), "plant's sales order number", 'SO-5521').optional(),
    purchaseOrder: doc(z.string(), "customer's purchase order number", 'PO-88172').optional(),
    hauler: doc(party('hauler', 'RT', 'Riverside Trucking'), 'the hauling company, when not the customer').optional(),
    driver: doc(
      z.strictObject({
        id: doc(z.string(), 'driver id or badge number', 'D-31').optional(),
        name: doc(z.string().min(1), 'driver name', 'M. Alvarez'),
      }),
      'the driver of the truck',
    ).optional(),
    deliveryLocation: doc(
      z.strictObject({ address: doc(z.string().min(1), 'delivery address or site description, one line', '1200 Main St, Riverside') }),
      'where the load is delivered',
    ).optional(),
    notes: doc(z.string(), 'free text printed on the ticket', 'Slump 4 in').optional(),
    source: doc(
      z.strictObject({
        vendor: doc(z.string(), 'scale-house software the ticket was read from', 'command-alkon').optional(),
        table: doc(z.string(), 'source table the ticket was read from', 'dbo.Tickets'),
        recordKey: doc(z.string(), 'source key of the row, key columns joined with "/"', '1001'),
        recordModifiedAt: doc(
          z.string(),
          "the row's change-column value when it was read, as the database stores it (not part of the revision)",
          '2026-06-15 12:42:11.120',
        ).optional(),
      }),
      'where the ticket came from in the plant database (AASHTO MDMS-1 source block)',
    ).optional(),
  })
  .meta({ title: 'Outpost eTicket v1', description: 'One scale-house ticket as Outpost posts it to the e-ticketing API.' });

export type ETicket = z.infer<typeof eticketSchema>;
export type ETicketLine = z.infer<typeof lineSchema>;
