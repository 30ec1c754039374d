// The mapping layer: JSON templates (data, never code) turn a ticket row into a validated eTicket v1,
// or into the plain reasons the row is filtered (or skipped by a row rule).
//
// Programmatic API (for setup UIs such as the wizard's mapping editor):
//   mapSamples(source, rows, {template, fields?, skip?, timezone, key?, table?})
//       → {mapper, error, rows, results, mapped, skipped, filtered, lookupQueries}
//     compiles a template object or name (+ overrides + skip rules) and maps sample rows with their
//     lines and lookups resolved through `source` (one bound query per lookup); never throws on a
//     template mistake (`error` holds the sentence with its JSON path).
//   createMapper({...}) + prepareRows(source, mapper, rows, cache?) + mapper.map(row, ctx)
//     the same in steps (what the pipeline does per page; keep one LookupCache per pass).
//   generateStarter({table, foreignKeys, samples, related}) (starter.ts) → {template, fields[], skip}
//     a proposed expression per eTicket field with confidence (0–1) and reason; readStarterInputs
//     (source, table) gathers its inputs (columns, types, foreign keys, samples, master tables).
//   source.foreignKeys?() (core/sources/types.ts ForeignKey) lists the database's foreign keys;
//     lookupsThroughForeignKeys(table, fks) the lookups a column can offer.
//   suggestTemplates / suggestTemplate (suggest.ts) rank templates, the generated one included.
//   mapper.sources() / mapper.sourceRefs(): where each field comes from ("customer_id → customers.name").
// Expression types, Condition, SkipRule, LookupSpec: template.ts; the JSON Schema: templateJsonSchema().
export { createMapper, MAX_TEXT } from './mapper.js';
export type { MapContext, MapResult, Mapper, MapperOptions } from './mapper.js';
export {
  listTemplates,
  loadTemplate,
  parseTemplate,
  mappingTemplatesDir,
  templateJsonSchema,
  templateSchema,
  conditionSchema,
  skipRuleSchema,
  expressionSchema,
  LAYOUTS,
  COMPARISONS,
} from './template.js';
export type {
  Template,
  Expression,
  Transform,
  Scalar,
  TemplateTicket,
  TemplateLine,
  TemplateGroup,
  LinesSource,
  LookupSpec,
  LookupExpression,
  WhenExpression,
  DateTimeExpression,
  Condition,
  Comparison,
  SkipRule,
} from './template.js';
export { loadTemplateRef, listAllTemplates, listSiteTemplates, siteTemplatesDir, isTemplatePath } from './files.js';
export type { TemplateInfo } from './files.js';
export { attachLines, linesQuery, LINES_PROPERTY, MAX_BOUND_VALUES } from './lines.js';
export type { HeaderRow } from './lines.js';
export { prepareRows, LookupCache, lookupQuery, LOOKUPS_PROPERTY } from './lookups.js';
export type { LookupStep, LookupEntry } from './lookups.js';
export type { SourceRef } from './compile.js';
export { mapSamples } from './api.js';
export { generateStarter, readStarterInputs, lookupsThroughForeignKeys, nameColumn, words } from './starter.js';
export type { Starter, StarterField, StarterInput, StarterTable } from './starter.js';
export type { SampleMapOptions, SampleMapResult } from './api.js';
export { suggestTemplate, suggestTemplates, scoreTemplate } from './suggest.js';
export type { TemplateSuggestion } from './suggest.js';
export { revisionOf, canonicalJson, ticketJson } from './revision.js';
export type { CanonicalTicket } from './revision.js';
export { ETICKET_SCHEMA_VERSION, eticketSchema, lineSchema, units } from './eticket.js';
export type { ETicket, ETicketLine } from './eticket.js';
export { ETICKET_SCHEMA_ID, ETICKET_EXAMPLE, eticketJsonSchema, eticketMarkdown } from './eticket-docs.js';
