import { defineSection, v } from '../declare.js';
import { parseHeaderTemplates } from '../header-templates.js';

/** A custom identity header: `value` is a template such as `{{ .claims.email }}`. */
export interface HeaderTemplate {
  readonly name: string;
  readonly value: string;
}

/** The identity headers an allowed request carries, beyond the built-in two. */
export interface HeadersConfig {
  /** `HEADERS`: JSON list of `{name, value}` custom identity headers. Default none. */
  readonly headers: readonly HeaderTemplate[];
  /** `AUTHORIZATION_HEADER`: header that receives `Bearer <access token>`. Default none (not forwarded). */
  readonly authorizationHeader: string | undefined;
  /** `ID_TOKEN_HEADER`: header that receives the raw id_token. Default none. */
  readonly idTokenHeader: string | undefined;
}

/** Headers the service must never set on a forwarded request: framing, routing and cookies. */
const RESERVED_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'host',
  'cookie',
  'set-cookie',
  'location',
  'content-type',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Identity header names must not be reserved, nor repeat each other (case and `_`/`-` ignored). */
function identityHeaderProblems(entries: readonly { variable: string; name: string }[]): string[] {
  const seen = new Map<string, string>([
    ['x-forwarded-user', 'X-Forwarded-User (built in)'],
    ['x-forwarded-email', 'X-Forwarded-Email (built in)'],
    ['x-forwarded-subject', 'X-Forwarded-Subject (built in)'],
    ['x-forwarded-client-id', 'X-Forwarded-Client-Id (built in)'],
    ['x-forwarded-client-name', 'X-Forwarded-Client-Name (built in)'],
  ]);
  const problems: string[] = [];
  for (const { variable, name } of entries) {
    const key = name.toLowerCase().replace(/_/g, '-');
    if (RESERVED_HEADERS.has(key))
      problems.push(`${variable}: "${name}" is a reserved header and cannot carry identity`);
    else if (seen.has(key)) problems.push(`${variable}: "${name}" repeats ${seen.get(key)}`);
    else seen.set(key, `${variable} "${name}"`);
  }
  return problems;
}

/** `HEADERS`, `AUTHORIZATION_HEADER` and `ID_TOKEN_HEADER`. */
export const headersSection = defineSection({
  name: 'headers',
  variables: {
    headers: v.json('HEADERS', {
      doc: 'JSON list of {name, value} extra identity headers; values are templates such as {{ .claims.email }}.',
    }),
    authorizationHeader: v.headerName('AUTHORIZATION_HEADER', {
      doc: 'Header name that receives Bearer <access token>.',
    }),
    idTokenHeader: v.headerName('ID_TOKEN_HEADER', { doc: 'Header name that receives the raw id_token.' }),
  },
  build({ headers, authorizationHeader, idTokenHeader }, r): HeadersConfig {
    const parsed = parseHeaderTemplates(headers, 'HEADERS');
    r.problems.push(...parsed.problems);
    r.problems.push(
      ...identityHeaderProblems([
        ...parsed.templates.map((h) => ({ variable: 'HEADERS', name: h.name })),
        ...(authorizationHeader ? [{ variable: 'AUTHORIZATION_HEADER', name: authorizationHeader }] : []),
        ...(idTokenHeader ? [{ variable: 'ID_TOKEN_HEADER', name: idTokenHeader }] : []),
      ]),
    );
    return { headers: parsed.templates, authorizationHeader, idTokenHeader };
  },
});
