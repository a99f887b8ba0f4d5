import type { HeaderTemplate } from './config.js';
import { HEADER_NAME } from './declare.js';

/** What a header template can read: the session's claims and tokens. */
export interface TemplateData {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly accessToken?: string | undefined;
  readonly idToken?: string | undefined;
}

type Part = string | ((data: TemplateData) => string);

const FIELD = /\{\{\s*(.*?)\s*\}\}/g;
const REFERENCE = /^\.(claims\.[A-Za-z0-9_:.-]+|accessToken|idToken)$/;

function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(scalar).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  // Claims are JSON: what is left is a string, number or boolean.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

function reader(reference: string): (data: TemplateData) => string {
  if (reference === '.accessToken') return (d) => d.accessToken ?? '';
  if (reference === '.idToken') return (d) => d.idToken ?? '';
  const path = reference.slice('.claims.'.length).split('.');
  return (d) => {
    let node: unknown = d.claims;
    for (const key of path) {
      if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return '';
      node = (node as Record<string, unknown>)[key];
    }
    return scalar(node);
  };
}

/**
 * Compiles a template such as `Bearer {{ .accessToken }}` or `{{ .claims.email }}`
 * into a function; throws with a readable message on an unknown reference.
 */
export function compileTemplate(source: string): (data: TemplateData) => string {
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(FIELD)) {
    const reference = match[1] ?? '';
    if (!REFERENCE.test(reference)) {
      throw new Error(
        `unknown reference "{{ ${reference} }}"; use {{ .claims.<name> }}, {{ .accessToken }} or {{ .idToken }}`,
      );
    }
    parts.push(source.slice(last, match.index), reader(reference));
    last = match.index + match[0].length;
  }
  parts.push(source.slice(last));
  const kept = parts.filter((p) => p !== '');
  return (data) => kept.map((p) => (typeof p === 'string' ? p : p(data))).join('');
}

/** The references a template reads, as written: `.claims.email`, `.accessToken`, `.idToken`. */
export function templateReferences(source: string): string[] {
  return [...source.matchAll(FIELD)].map((match) => match[1] ?? '');
}

/** Validates the parsed `HEADERS` JSON list of `{name, value}`. */
export function parseHeaderTemplates(
  input: unknown,
  variable: string,
): { templates: HeaderTemplate[]; problems: string[] } {
  if (input === undefined) return { templates: [], problems: [] };
  if (!Array.isArray(input)) return { templates: [], problems: [`${variable} must be a JSON array of {name, value}`] };
  const templates: HeaderTemplate[] = [];
  const problems: string[] = [];
  input.forEach((entry: unknown, i) => {
    const { name, value } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
      problems.push(`${variable}[${i}].name must be a header name`);
      return;
    }
    if (typeof value !== 'string') {
      problems.push(`${variable}[${i}].value must be a string template such as "{{ .claims.email }}"`);
      return;
    }
    try {
      compileTemplate(value);
      templates.push({ name, value });
    } catch (err) {
      problems.push(`${variable}[${i}].value: ${(err as Error).message}`);
    }
  });
  return { templates, problems };
}
