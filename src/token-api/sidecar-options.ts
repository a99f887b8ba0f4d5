import { HEADER_NAME } from '../config/declare.js';
import { scopeList, type DownstreamApi } from './downstream-apis.js';
import { METHOD } from './downstream-apis.js';

/** Which routes take `optionsOverride.*` query parameters (Microsoft's `Sidecar:AllowOverrides` defaults). */
export interface OverrideGates {
  readonly getAuthorizationHeader: boolean;
  readonly getAuthorizationHeaderUnauthenticated: boolean;
  readonly callDownstreamApi: boolean;
  readonly callDownstreamApiUnauthenticated: boolean;
}

/** Microsoft's defaults: overrides on the authenticated routes only. */
export const DEFAULT_OVERRIDE_GATES: OverrideGates = {
  getAuthorizationHeader: true,
  getAuthorizationHeaderUnauthenticated: false,
  callDownstreamApi: true,
  callDownstreamApiUnauthenticated: false,
};

/** A profile after the request's overrides: what one call uses. */
export interface EffectiveOptions {
  readonly baseUrl: string | undefined;
  readonly relativePath: string;
  readonly scopes: readonly string[];
  readonly httpMethod: string;
  readonly requestAppToken: boolean;
  readonly contentType: string | undefined;
  readonly acceptHeader: string | undefined;
  /** `optionsOverride.AcquireTokenOptions.ForceRefresh`: skip the token cache. */
  readonly forceRefresh: boolean;
  readonly extraHeaders: readonly (readonly [string, string])[];
  readonly extraQuery: readonly (readonly [string, string])[];
}

const PREFIX = 'optionsoverride.';
const AGENT_PARAMETERS = new Set(['agentidentity', 'agentusername', 'agentuserid']);
const UNSUPPORTED = new Set(
  [
    'Tenant',
    'Claims',
    'CorrelationId',
    'FmiPath',
    'LongRunningWebApiSessionKey',
    'PopPublicKey',
    'ManagedIdentity.UserAssignedClientId',
  ].map((k) => `acquiretokenoptions.${k.toLowerCase()}`),
);

function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

/**
 * Applies the `optionsOverride.*` query parameters to a profile (none when the
 * route's gate is closed: they are then ignored with a warning, as Microsoft does).
 * `optionsOverride.BaseUrl` is always ignored; `RequestAppToken` can only be switched on;
 * `Scopes` replaces the profile's. Names are matched without regard to case.
 */
export function effectiveOptions(
  profile: DownstreamApi | undefined,
  query: URLSearchParams,
  allowed: boolean,
  warn: (message: string) => void,
): EffectiveOptions {
  const overrides: [string, string][] = [];
  for (const [key, value] of query) {
    const lower = key.toLowerCase();
    if (AGENT_PARAMETERS.has(lower)) warn(`${key} is not supported (Entra agent identities); ignored`);
    else if (lower === `${PREFIX}baseurl`) warn('optionsOverride.BaseUrl is never applied; ignored');
    else if (lower.startsWith(PREFIX)) overrides.push([key.slice(PREFIX.length), value]);
  }
  if (overrides.length > 0 && !allowed) warn('optionsOverride parameters are not allowed on this route; ignored');
  const use = allowed ? overrides : [];
  const get = (name: string) => use.findLast(([k]) => k.toLowerCase() === name)?.[1];
  const scopes = use.filter(([k]) => k.toLowerCase() === 'scopes').flatMap(([, v]) => scopeList(v) ?? []);
  const method = get('httpmethod');
  if (method !== undefined && !METHOD.test(method)) warn('optionsOverride.HttpMethod is not an HTTP method; ignored');
  const prefixed = (prefix: string) =>
    use
      .filter(([k]) => k.toLowerCase().startsWith(prefix) && k.length > prefix.length)
      .map(([k, v]) => [k.slice(prefix.length), v] as const);
  const extraHeaders = prefixed('extraheaderparameters.').filter(([name]) => {
    const ok = HEADER_NAME.test(name) && !['authorization', 'host', 'content-length'].includes(name.toLowerCase());
    if (!ok) warn(`optionsOverride.ExtraHeaderParameters.${name} can not be set; ignored`);
    return ok;
  });
  for (const [k] of use) if (UNSUPPORTED.has(k.toLowerCase())) warn(`optionsOverride.${k} is not supported; ignored`);
  return {
    baseUrl: profile?.baseUrl,
    relativePath: get('relativepath') ?? profile?.relativePath ?? '',
    scopes: scopes.length > 0 ? scopes : (profile?.scopes ?? []),
    httpMethod: (method !== undefined && METHOD.test(method) ? method : (profile?.httpMethod ?? 'GET')).toUpperCase(),
    requestAppToken: (profile?.requestAppToken ?? false) || isTrue(get('requestapptoken')),
    contentType: get('contenttype') ?? profile?.contentType,
    acceptHeader: get('acceptheader') ?? profile?.acceptHeader,
    forceRefresh: isTrue(get('acquiretokenoptions.forcerefresh')),
    extraHeaders,
    extraQuery: prefixed('extraqueryparameters.'),
  };
}

/** The path problem of a `RelativePath`, or undefined: it must stay under `BaseUrl` in every decoded form. */
export function relativePathProblem(path: string): string | undefined {
  let decoded = path;
  for (let i = 0; i < 4; i++) {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
    if (/[\u0000-\u001f\u007f\\]/.test(decoded))
      return 'RelativePath must not contain control characters or backslashes';
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(decoded)) return 'RelativePath must not carry a scheme';
    if (decoded.startsWith('//')) return 'RelativePath must not name another host';
    const pathPart = decoded.split(/[?#]/, 1)[0] ?? '';
    if (pathPart.split('/').some((s) => s === '..' || s === '.'))
      return 'RelativePath must not contain . or .. segments';
    if (pathPart.includes('//')) return 'RelativePath must not contain an empty segment (//)';
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return 'RelativePath has a malformed percent-encoding';
    }
    if (next === decoded) return undefined;
    decoded = next;
  }
  return 'RelativePath is encoded too many times';
}

/** `BaseUrl` + `RelativePath` as text, as the sidecar joins them (one `/` between). */
export function joinUrl(
  baseUrl: string,
  relativePath: string,
  extraQuery: readonly (readonly [string, string])[],
): URL {
  const rel = relativePath.replace(/^\//, '');
  const url = new URL(rel === '' ? baseUrl.replace(/\/+$/, '') : `${baseUrl.replace(/\/+$/, '')}/${rel}`);
  for (const [name, value] of extraQuery) url.searchParams.append(name, value);
  const base = new URL(baseUrl);
  // Belt and braces after relativePathProblem: the joined URL must stay under BaseUrl.
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname.replace(/\/+$/, '')))
    throw new RangeError('RelativePath leaves BaseUrl');
  return url;
}
