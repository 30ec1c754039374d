// Mapping templates: JSON data (never code) that says how a ticket row becomes an eTicket v1.
//
// A template file (templates/mappings/<name>.json) is
//   { "name": "generic-scale-ticket",          // = the file name
//     "description": "…", "vendor"?: "…",      // vendor goes to eTicket source.vendor
//     "layout": "single-table" | "header-lines",
//     "ticket": { …eTicket shape, each leaf an expression… },
//     "lines":  [ { …line shape, each leaf an expression… } ],
//     "linesSource": { … } }                   // header-lines only
// single-table: one row is one ticket, `lines` has one entry per eTicket line (usually one).
// header-lines (COMMANDseries-style TICK header + TKTL lines): the profile's table holds one header
//   row per ticket; its lines live in linesSource.table:
//     "linesSource": { "table": "TKTL", "key": ["tkt_line_num"],           // line key columns
//                      "join": { "tkt_code": "tkt_code", "order_date": "order_date" },  // line col → header col
//                      "orderBy"?: ["tkt_line_num"] }                       // default: key
//   `lines` then has exactly one entry, applied to every line row: each line row becomes one eTicket
//   line. Its expressions read the line row's columns; a column the line row does not have is read
//   from the header row (so a line can use the header's unit of measure). core/mapping/lines.ts
//   (attachLines) fetches a page's lines in one query and hangs them on each header row under
//   LINES_PROPERTY ("__lines"). A ticket without lines is filtered ("the ticket has no lines in TKTL").
//   Line problems name the line: "line 2 (tkt_line_num 20) quantity is empty".
// The ticket/line shapes are the eTicket v1 fields of core/mapping/catalog.ts, nested as in the
// eTicket (plant: {id, name}, lines[].quantity: {value, unit}, …). Outpost fills schemaVersion,
// ticketId, revision, issuedAtLocal, plantTimeZone and source itself. `trailers` is a list of {id}.
//
// An expression is one of
//   { "column": "Net" }                       the row's value (exact name, else a case-insensitive match)
//   { "const": 42 }                           text, number, true/false or null
//   { "concat": [expr | "literal", …], "separator"?: ", " }
//        joins text; empty when every expression in it is empty; with a separator, empty parts are skipped
//   { "lookup": { "table": "customers", "on": {"id": expr}, "column": "name", "default"?: expr } }
//        a column of another table by a key of this row (lookups.ts: one query per page and lookup)
//   { "when": [ { "if": condition, "use": expr }, … ], "else"?: expr }   (conditions.ts)
//   { "dateTime": { "date": expr, "time"?: expr, "dateFormat"?, "timeFormat"? } }   (datetime.ts)
// and a template may have "skip": [ {"if"|"unless": condition, "reason"?: "…"} ] row rules.
// docs/mapping.md documents every expression, condition and transform with an example.
// each optionally with "then": [transform, …] applied in order, and "label": "net weight", the
// words used in messages about this field (default: the field's own label, e.g. "quantity").
//
// Transforms (a fixed set; no eval, no user code). Empty values pass through all but `default`/`map`:
//   "trim"                                     trims text
//   {"case": "upper"|"lower"}
//   {"number": {"decimalComma"?: true, "impliedDecimals"?: 2}}   number from text: "1,234.5" ("1.234,5" with decimalComma);
//                                              never NaN/Infinity/hex
//   {"convertUnit": {"from": expr|"CODE", "to": "LBR"|"STN"|"TNE"|"KGM"|"MTQ"|"YDQ", "unitMap"?: {"LB": "LBR", …}}}
//        converts the number from the unit `from` gives (mapped through unitMap, case-insensitively,
//        else taken as a UN/ECE code) with exact factors; rounded to 0.01 lb/kg, 0.0001 t, m³, yd³
//   {"localDateTime": {"format"?: "MM/DD/YYYY hh:mm A"}}
//        a plant-local time (see time.ts for accepted text, Date objects and the DST rule)
//   {"map": {"Y": "voided", "N": "issued"}, "default"?: v, "caseInsensitive"?: true}
//        exact lookup of the trimmed text; `default` answers unmatched AND empty input; without a
//        default, unmatched input is a problem and empty stays empty
//   {"prefixMap": {"HMA": "asphalt", …}, "default"?: v, "caseInsensitive"?: true}
//        the longest matching prefix wins; `default` as for map
//   {"default": value | expr}                  replaces an empty value
// Every leaf's final value is coerced to the field's type: text is cleaned (control characters
// dropped, trimmed, whitespace-only = empty), numbers accept numeric text, enum fields match
// case-insensitively. Empty optional fields are omitted; an empty required one filters the row.
//
// The module is split along its concepts: template-types.ts (the types), template-schema.ts (the zod
// schema, parseTemplate, the JSON Schema export), template-errors.ts (plain messages with JSON
// paths), template-files.ts (shipped templates) and files.ts (site templates, paths).
export * from './template-types.js';
export * from './template-schema.js';
export * from './template-errors.js';
export * from './template-files.js';
