// The mapping layer: JSON templates (data, never code) turn a ticket row into a validated eTicket v1,
// or into the plain reasons the row is filtered.
export { createMapper, MAX_TEXT } from './mapper.js';
export type { MapContext, MapResult, Mapper, MapperOptions } from './mapper.js';
export { listTemplates, loadTemplate, parseTemplate, mappingTemplatesDir, templateJsonSchema, templateSchema, LAYOUTS } from './template.js';
export type { Template, Expression, Transform, Scalar, TemplateTicket, TemplateLine, TemplateGroup, LinesSource } from './template.js';
export { attachLines, linesQuery, LINES_PROPERTY, MAX_BOUND_VALUES } from './lines.js';
export type { HeaderRow } from './lines.js';
export { suggestTemplate, scoreTemplate } from './suggest.js';
export type { TemplateSuggestion } from './suggest.js';
export { revisionOf, canonicalJson } from './revision.js';
export { ETICKET_SCHEMA_VERSION, eticketSchema, lineSchema, units } from './eticket.js';
export type { ETicket, ETicketLine } from './eticket.js';
export { ETICKET_SCHEMA_ID, ETICKET_EXAMPLE, eticketJsonSchema, eticketMarkdown } from './eticket-docs.js';
