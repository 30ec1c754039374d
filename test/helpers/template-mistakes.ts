// How the template tests provoke one mistake at a time: edit a copy of a good template, parse it,
// and compare the one sentence parseTemplate answers with.
import { parseTemplate, type Template } from '../../core/mapping/index.js';

/** parseTemplate's message for a copy of `base` changed by `edit` (read as file `file`), or 'accepted'. */
export function templateMistake(base: Template, file: string, edit: (t: Record<string, any>) => void): string {
  const t = structuredClone(base) as unknown as Record<string, unknown>;
  edit(t);
  try {
    parseTemplate(t, file);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}
