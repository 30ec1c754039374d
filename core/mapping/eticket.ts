// eTicket v1 (DESIGN §2.4): the JSON Outpost posts. This zod schema is the single source of truth:
// the TypeScript type comes from it, and so does the JSON Schema shipped in templates/.
import { z } from 'zod';

export const ETICKET_SCHEMA_VERSION = 'eticket/v1';

const isoWithOffset = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/, 'must be ISO 8601 with an offset');

/** UN/ECE Rec 20 unit codes Outpost emits. */
export const units = ['LBR', 'STN', 'TNE', 'KGM', 'MTQ', 'YDQ', 'EA'] as const;

const party = z.strictObject({ id: z.string().optional(), name: z.string().min(1) });
const quantity = z.strictObject({ value: z.number().finite(), unit: z.enum(units) });

export const lineSchema = z.strictObject({
  lineNumber: z.number().int().min(1).optional(),
  productCode: z.string().min(1),
  productDescription: z.string().min(1),
  materialCategory: z.enum(['asphalt', 'concrete', 'aggregate', 'other']),
  quantity,
  weighMethod: z.enum(['scale', 'count', 'volume', 'manual']),
  grossWeight: quantity.optional(),
  tareWeight: quantity.optional(),
  netWeight: quantity.optional(),
  mixDesignId: z.string().optional(),
  cumulativeQuantity: quantity.optional(),
  temperature: z.strictObject({ value: z.number().finite(), unit: z.enum(['FAH', 'CEL']) }).optional(),
  payItem: z.string().optional(),
});

export const eticketSchema = z.strictObject({
  schemaVersion: z.literal(ETICKET_SCHEMA_VERSION),
  ticketId: z.string().min(1),
  revision: z.string().min(1),
  status: z.enum(['issued', 'voided']),
  voidReason: z.string().optional(),
  ticketNumber: z.string().min(1),
  issuedAt: isoWithOffset,
  issuedAtLocal: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/),
  plantTimeZone: z.string().min(1),
  plant: z.strictObject({ id: z.string().min(1), name: z.string().min(1) }),
  supplier: party,
  customer: party,
  truck: z.strictObject({ id: z.string().min(1) }),
  trailers: z.array(z.strictObject({ id: z.string().min(1) })).optional(),
  lines: z.array(lineSchema).min(1),
  loadNumber: z.string().optional(),
  weighmaster: z.string().optional(),
  contractNumber: z.string().optional(),
  dotProjectCode: z.string().optional(),
  jobNumber: z.string().optional(),
  orderNumber: z.string().optional(),
  purchaseOrder: z.string().optional(),
  hauler: party.optional(),
  driver: z.strictObject({ id: z.string().optional(), name: z.string().min(1) }).optional(),
  deliveryLocation: z.strictObject({ address: z.string().min(1) }).optional(),
  notes: z.string().optional(),
  source: z
    .strictObject({
      vendor: z.string().optional(),
      table: z.string(),
      recordKey: z.string(),
      recordModifiedAt: z.string().optional(),
    })
    .optional(),
});

export type ETicket = z.infer<typeof eticketSchema>;
export type ETicketLine = z.infer<typeof lineSchema>;
