// Sample review (docs/design.md job 2): pull sample tickets, show them side by side with their raw rows
// and as paper tickets, record the customer's sign-off in the state database, export it.
export {
  pullSamples,
  reviewSamples,
  mapperForProfile,
  ticketNumberColumn,
  normalizeTicketNumbers,
  displayValue,
  trimmedText,
  MAX_SAMPLES,
} from './samples.js';
export type { SampleOptions, PulledSamples, ReviewSample, ReviewField, DisplayValue } from './samples.js';
export { renderTicketText, renderTicketHtml, ticketHtmlFragment, paperModel, escapeHtml, cleanForDisplay, htmlPage } from './render.js';
export type { TextOptions, HtmlOptions, PaperModel } from './render.js';
export { ReviewStore } from './store.js';
export type { Review, ReviewInput, ReviewTicket, ReviewTicketInput, ReviewFlag, ReviewSummary, Verdict } from './store.js';
export { reviewToJson, reviewToHtml, REVIEW_EXPORT_KIND } from './export.js';
export type { ReviewExport } from './export.js';
export { previewProfile, previewToHtml, previewToText } from './preview.js';
export type { Preview, PreviewOptions } from './preview.js';
export { checkFlagField, eticketFieldPaths } from './fields.js';
