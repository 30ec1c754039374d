// The eTicket fields a mapping template can fill, in output order, with the type each leaf must end
// up as and the plain label used in "why this row was filtered" sentences ("customer is empty").
// One list drives the template zod schema, the override paths and the compiler, so they cannot drift.
// Fields Outpost derives itself (schemaVersion, ticketId, revision, issuedAtLocal, plantTimeZone,
// source) are not here: no template or override can set them.

export type LeafType = 'text' | 'number' | 'integer' | 'datetime' | 'status' | 'category' | 'weighMethod' | 'unit' | 'tempUnit';

export interface LeafSpec {
  kind: 'leaf';
  key: string;
  type: LeafType;
  label: string;
  /** Required inside its object (or on the ticket/line itself). */
  required: boolean;
  doc: string;
}

export interface GroupSpec {
  kind: 'group';
  key: string;
  /** A required group must be mapped and filled; an optional one is omitted when `primary` is empty. */
  required: boolean;
  primary: string;
  /** A quantity ({value, unit}): the unit may be left out of the template when the value ends with convertUnit. */
  quantity: boolean;
  leaves: LeafSpec[];
  doc: string;
}

export type FieldSpec = LeafSpec | GroupSpec;

const leaf = (key: string, type: LeafType, label: string, required: boolean, doc: string): LeafSpec => ({
  kind: 'leaf',
  key,
  type,
  label,
  required,
  doc,
});

const group = (key: string, required: boolean, primary: string, leaves: LeafSpec[], doc: string, quantity = false): GroupSpec => ({
  kind: 'group',
  key,
  required,
  primary,
  quantity,
  leaves,
  doc,
});

const party = (key: string, required: boolean, label: string, doc: string): GroupSpec =>
  group(
    key,
    required,
    'name',
    [
      leaf('id', 'text', `${label} id`, false, `${label} code or id in the plant system`),
      leaf('name', 'text', key === 'customer' ? 'customer' : `${label} name`, true, `${label} name`),
    ],
    doc,
  );

const qty = (key: string, required: boolean, label: string, doc: string): GroupSpec =>
  group(
    key,
    required,
    'value',
    [
      leaf('value', 'number', label, true, `${label}, a finite number`),
      leaf(
        'unit',
        'unit',
        `${label} unit`,
        true,
        'UN/ECE Rec 20 unit code (LBR, STN, TNE, KGM, MTQ, YDQ, EA); optional in the template when value ends with convertUnit',
      ),
    ],
    doc,
    true,
  );

export const TICKET_FIELDS: readonly FieldSpec[] = [
  leaf('status', 'status', 'status', false, '"issued" or "voided"; "issued" when the template does not map it'),
  leaf('voidReason', 'text', 'void reason', false, 'why the ticket was voided; sent only when status is voided'),
  leaf('ticketNumber', 'text', 'ticket number', true, 'the number printed on the ticket (trimmed)'),
  leaf(
    'issuedAt',
    'datetime',
    'ticket date',
    true,
    "when the ticket was issued, as the plant's local wall-clock time (text 'YYYY-MM-DD HH:MM[:SS[.fff]]', or any format given to localDateTime) or text with an offset; Outpost adds the offset of the profile's time zone and derives issuedAtLocal and plantTimeZone",
  ),
  group(
    'plant',
    true,
    'name',
    [
      leaf('id', 'text', 'plant code', true, 'plant code in the plant system'),
      leaf('name', 'text', 'plant name', true, 'plant name (profile overrides usually set it)'),
    ],
    'the plant that issued the ticket',
  ),
  party('supplier', true, 'supplier', 'the company selling the material'),
  party('customer', true, 'customer', 'the company buying the material'),
  group('truck', true, 'id', [leaf('id', 'text', 'truck', true, 'truck number')], 'the truck that hauled the load'),
  leaf('loadNumber', 'text', 'load number', false, 'load number of the day or order'),
  leaf('weighmaster', 'text', 'weighmaster', false, 'weighmaster name or id'),
  leaf('contractNumber', 'text', 'contract number', false, 'contract number'),
  leaf('dotProjectCode', 'text', 'DOT project', false, 'DOT project / contract code'),
  leaf('jobNumber', 'text', 'job number', false, 'customer job number'),
  leaf('orderNumber', 'text', 'order number', false, 'sales order number'),
  leaf('purchaseOrder', 'text', 'purchase order', false, 'customer purchase order'),
  party('hauler', false, 'hauler', 'the hauling company; omitted when its name is empty'),
  party('driver', false, 'driver', 'the driver; omitted when the name is empty'),
  group(
    'deliveryLocation',
    false,
    'address',
    [leaf('address', 'text', 'delivery address', true, 'delivery address')],
    'where the load goes; omitted when the address is empty',
  ),
  leaf('notes', 'text', 'notes', false, 'free text printed on the ticket'),
];

export const LINE_FIELDS: readonly FieldSpec[] = [
  leaf('lineNumber', 'integer', 'line number', false, 'line number (1, 2, …); numbered in template order when not mapped'),
  leaf('productCode', 'text', 'product code', true, 'product / material code'),
  leaf('productDescription', 'text', 'product description', true, 'product description'),
  leaf(
    'materialCategory',
    'category',
    'material category',
    true,
    'asphalt | concrete | aggregate | other (prefixMap on the product code is the usual way)',
  ),
  qty('quantity', true, 'quantity', 'the quantity billed on this line'),
  leaf('weighMethod', 'weighMethod', 'weigh method', true, 'scale | count | volume | manual'),
  qty('grossWeight', false, 'gross weight', 'gross weight; omitted when empty'),
  qty('tareWeight', false, 'tare weight', 'tare weight; omitted when empty'),
  qty('netWeight', false, 'net weight', 'net weight; omitted when empty'),
  leaf('mixDesignId', 'text', 'mix design', false, 'mix design / job mix formula id'),
  qty('cumulativeQuantity', false, 'cumulative quantity', 'quantity delivered so far on the order; omitted when empty'),
  group(
    'temperature',
    false,
    'value',
    [leaf('value', 'number', 'temperature', true, 'load temperature'), leaf('unit', 'tempUnit', 'temperature unit', true, 'FAH or CEL')],
    'load temperature (asphalt); omitted when the value is empty',
  ),
  leaf('payItem', 'text', 'pay item', false, 'DOT pay item'),
];

/** eTicket fields Outpost sets itself; refused as override paths with a plain reason. */
export const DERIVED_FIELDS = ['schemaVersion', 'ticketId', 'revision', 'issuedAtLocal', 'plantTimeZone', 'source'];

/** Enumerations the enum-typed leaves accept (matched case-insensitively, emitted as listed). */
export const ENUMS: Partial<Record<LeafType, readonly string[]>> = {
  status: ['issued', 'voided'],
  category: ['asphalt', 'concrete', 'aggregate', 'other'],
  weighMethod: ['scale', 'count', 'volume', 'manual'],
  unit: ['LBR', 'STN', 'TNE', 'KGM', 'MTQ', 'YDQ', 'EA'],
  tempUnit: ['FAH', 'CEL'],
};

/** Every dotted override path ("plant.name", "lines.quantity.value"), for messages and suggestions. */
export function overridePaths(): string[] {
  const out: string[] = [];
  const walk = (fields: readonly FieldSpec[], prefix: string) => {
    for (const f of fields) {
      if (f.kind === 'leaf') out.push(prefix + f.key);
      else for (const l of f.leaves) out.push(`${prefix}${f.key}.${l.key}`);
    }
  };
  walk(TICKET_FIELDS, '');
  walk(LINE_FIELDS, 'lines.');
  return out;
}
