/**
 * `DOWNSTREAM_APIS`: the Microsoft sidecar's `DownstreamApis` section as JSON,
 * PascalCase keys as in its appsettings.json (matched without regard to case,
 * as .NET configuration binding does), so teams can paste it unchanged.
 */

/** One downstream API profile. */
export interface DownstreamApi {
  /** `BaseUrl`: absolute `https` URL (`http` only with `OIDC_ALLOW_INSECURE_HTTP`); never overridable. */
  readonly baseUrl: string;
  /** `RelativePath`: appended to `BaseUrl` as text. Default empty. */
  readonly relativePath: string;
  /** `Scopes`: the scopes requested for this API (a list, or one string). */
  readonly scopes: readonly string[];
  /** `HttpMethod`: the method of `/DownstreamApi*` calls. Default `GET`. */
  readonly httpMethod: string;
  /** `RequestAppToken`: use the app's own token (client credentials) instead of on-behalf-of. Default false. */
  readonly requestAppToken: boolean;
  /** `ContentType`: the `Content-Type` sent with a forwarded body when the caller sends none. */
  readonly contentType: string | undefined;
  /** `AcceptHeader`: the `Accept` header sent downstream. */
  readonly acceptHeader: string | undefined;
}

/** The parsed profiles, by name (names compared without regard to case, as .NET does). */
export type DownstreamApis = ReadonlyMap<string, DownstreamApi>;

const KNOWN = new Set([
  'baseurl',
  'relativepath',
  'scopes',
  'httpmethod',
  'requestapptoken',
  'contenttype',
  'acceptheader',
]);
/** RFC 9110 token: what a method name may be. */
export const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function lowerKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
}

/** `Scopes` as a list: a JSON array of strings, or one string split at spaces. Undefined when malformed. */
export function scopeList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(value) && value.every((s) => typeof s === 'string'))
    return value.flatMap((s: string) => s.split(/\s+/)).filter((s) => s !== '');
  return undefined;
}

function parseOne(name: string, raw: unknown, problems: string[], warnings: string[]): DownstreamApi | undefined {
  const where = `DOWNSTREAM_APIS.${name}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${where} must be an object like {"BaseUrl":"https://…","Scopes":["…"]}`);
    return undefined;
  }
  const o = lowerKeys(raw as Record<string, unknown>);
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k.toLowerCase()));
  if (unknown.length > 0) warnings.push(`${where}: ${unknown.join(', ')} not supported; ignored`);
  const { baseurl, relativepath, httpmethod, requestapptoken, contenttype, acceptheader } = o;
  let ok = true;
  const fail = (message: string) => {
    problems.push(`${where}.${message}`);
    ok = false;
  };
  if (typeof baseurl !== 'string' || !URL.canParse(baseurl)) fail('BaseUrl must be an absolute URL');
  else {
    const url = new URL(baseurl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('BaseUrl must use https');
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
      fail('BaseUrl must have no query, fragment or credentials');
  }
  if (relativepath !== undefined && typeof relativepath !== 'string') fail('RelativePath must be a string');
  const scopes = scopeList(o.scopes);
  if (scopes === undefined) fail('Scopes must be a list of strings');
  if (httpmethod !== undefined && (typeof httpmethod !== 'string' || !METHOD.test(httpmethod)))
    fail('HttpMethod must be an HTTP method such as GET or POST');
  if (requestapptoken !== undefined && typeof requestapptoken !== 'boolean')
    fail('RequestAppToken must be true or false');
  for (const [key, value] of [
    ['ContentType', contenttype],
    ['AcceptHeader', acceptheader],
  ] as const)
    if (value !== undefined && typeof value !== 'string') fail(`${key} must be a string`);
  if (!ok) return undefined;
  return {
    baseUrl: baseurl as string,
    relativePath: (relativepath as string | undefined) ?? '',
    scopes: scopes ?? [],
    httpMethod: ((httpmethod as string | undefined) ?? 'GET').toUpperCase(),
    requestAppToken: (requestapptoken as boolean | undefined) ?? false,
    contentType: contenttype as string | undefined,
    acceptHeader: acceptheader as string | undefined,
  };
}

/** Parses `DOWNSTREAM_APIS` (already JSON-parsed; undefined when unset); problems and warnings name the variable. */
export function parseDownstreamApis(
  value: unknown,
  problems: string[],
  warnings: string[],
): Map<string, DownstreamApi> {
  const apis = new Map<string, DownstreamApi>();
  if (value === undefined) return apis;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(
      'DOWNSTREAM_APIS must be a JSON object of named APIs, e.g. {"graph":{"BaseUrl":"https://graph.microsoft.com/v1.0/","RelativePath":"me","Scopes":["User.Read"]}}',
    );
    return apis;
  }
  for (const [name, raw] of Object.entries(value)) {
    if (name === '' || /[/\s]/.test(name)) {
      problems.push(`DOWNSTREAM_APIS: "${name}" is not a usable API name (no slash or white space)`);
      continue;
    }
    if (apis.has(name.toLowerCase())) {
      problems.push(`DOWNSTREAM_APIS: "${name}" is listed twice (names are not case-sensitive)`);
      continue;
    }
    const api = parseOne(name, raw, problems, warnings);
    if (api) apis.set(name.toLowerCase(), api);
  }
  return apis;
}

/** The profile of `name` (case-insensitive), or undefined. */
export function downstreamApi(apis: DownstreamApis, name: string): DownstreamApi | undefined {
  return apis.get(name.toLowerCase());
}
