// Where templates come from. `mapping.template` is
//   - a name: a site template <home>/templates/<name>.json when there is one (a site's own templates,
//     e.g. written by `outpost mapping init`), else a shipped one in templates/mappings/<name>.json;
//   - a path (it contains "/" or "\" or ends in ".json"): that file, absolute or relative to <home>.
// A site template's name must match its file name, as for shipped ones; a file given by path may
// have any name.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { outpostHome } from '../paths.js';
import { closest, listTemplates, loadTemplate, parseTemplate, type Template } from './template.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** <home>/templates: a site's own templates, beside the shipped ones. */
export function siteTemplatesDir(home: string = outpostHome()): string {
  return join(home, 'templates');
}

/** Whether a mapping.template value is a file path rather than a name. */
export function isTemplatePath(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.json$/i.test(ref);
}

function readTemplateFile(file: string, shown: string): Template {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error(`the mapping template file ${shown} does not exist; check mapping.template`, { cause: e });
    if (err.code)
      throw new Error(`the mapping template file ${shown} could not be read (${err.code}); check its permissions`, { cause: e });
    throw new Error(`${shown} is not valid JSON: ${err.message}`, { cause: e });
  }
  return parseTemplate(data, shown);
}

export interface TemplateInfo {
  name: string;
  origin: 'site' | 'shipped';
  file: string;
}

/** Site templates (<home>/templates/*.json), by name. */
export function listSiteTemplates(home?: string): string[] {
  const dir = siteTemplatesDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && NAME.test(f.slice(0, -5)))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Every template by name: site ones first (a site template shadows a shipped one of the same name). */
export function listAllTemplates(home?: string): TemplateInfo[] {
  const site = listSiteTemplates(home).map((name) => ({
    name,
    origin: 'site' as const,
    file: join(siteTemplatesDir(home), `${name}.json`),
  }));
  const shipped = listTemplates()
    .filter((n) => !site.some((s) => s.name === n))
    .map((name) => ({ name, origin: 'shipped' as const, file: `templates/mappings/${name}.json` }));
  return [...site, ...shipped];
}

/** Loads what mapping.template names: { template, shown } where `shown` names it in messages. */
export function loadTemplateRef(ref: string, home?: string): { template: Template; shown: string; file: string } {
  if (typeof ref !== 'string' || ref.trim() === '') throw new Error('mapping.template must name a template or a template file');
  const h = home ?? outpostHome();
  if (isTemplatePath(ref)) {
    const file = isAbsolute(ref) ? ref : resolve(h, ref);
    return { template: readTemplateFile(file, file), shown: file, file };
  }
  if (!NAME.test(ref) || ref.includes('..')) {
    throw new Error(
      `mapping template name ${JSON.stringify(ref)} is not valid (letters, digits, ".", "_", "-"), or give a path to a .json file`,
    );
  }
  const site = join(siteTemplatesDir(h), `${ref}.json`);
  if (existsSync(site)) {
    const t = readTemplateFile(site, site);
    if (t.name !== ref) throw new Error(`${site}: name is "${t.name}" but must match the file name "${ref}"`);
    return { template: t, shown: site, file: site };
  }
  try {
    return { template: loadTemplate(ref), shown: `templates/mappings/${ref}.json`, file: `templates/mappings/${ref}.json` };
  } catch (e) {
    if (!/does not exist/.test((e as Error).message)) throw e;
    const known = listAllTemplates(h).map((t) => t.name);
    const near = closest(ref, known);
    throw new Error(
      `mapping template "${ref}" does not exist${near ? ` (did you mean "${near}"?)` : ''}; available: ${known.join(', ') || 'none'} (site templates go in ${siteTemplatesDir(h)}; a path to a .json file works too)`,
      { cause: e },
    );
  }
}
