// The one formatter of zod issues for people: each issue as its path (`a.b[0]["odd key"]`) and a
// plain message, the first few joined with '; ', the rest counted. The config file, the mapping
// templates, the eTicket check and the sandbox's answers all word their problems through it.

/** One problem to show: where (a zod path), what, and for unknown keys the keys themselves. */
export interface IssueLine {
  path: readonly PropertyKey[];
  message: string;
  /** Listed after the path (`profiles[0].colour, size: unknown key`). */
  keys?: readonly string[];
}

/** A zod path as people write it: `lines[2].quantity`, `fields["Net Wt"]`; '' for the root. */
export function issuePath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) s += s ? `.${p}` : p;
    else s += `[${JSON.stringify(String(p))}]`;
  }
  return s;
}

export interface FormatOptions {
  /** How many issues are spelled out (default 3). */
  max?: number;
  /** What an empty path is called, e.g. '(top level)'; '' (the default) shows the message alone. */
  root?: string;
  /** Between the path and the message (default ': '). */
  separator?: string;
  /** The suffix counting the issues not spelled out (default '; and N more'). */
  more?: (n: number) => string;
}

/** The first `max` issues as "path: message" joined with '; ', then how many more there are. */
export function formatIssues(issues: readonly IssueLine[], opts: FormatOptions = {}): string {
  const { max = 3, root = '', separator = ': ', more = (n: number) => `; and ${n} more` } = opts;
  const parts = issues.slice(0, max).map((i) => {
    const path = issuePath(i.path);
    const where = i.keys?.length ? `${path ? path + '.' : ''}${i.keys.join(', ')}` : path || root;
    return where ? `${where}${separator}${i.message}` : i.message;
  });
  const rest = issues.length - max;
  return parts.join('; ') + (rest > 0 ? more(rest) : '');
}
