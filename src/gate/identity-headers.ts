import type { Config } from '../config/index.js';
import { compileTemplate } from '../config/header-templates.js';
import type { Session } from '../session/session.js';
import { displayName, isEntraIssuer, stableSubject, verifiedEmail } from './identity-claims.js';

export { displayName } from './identity-claims.js';

/** Header that carries the user's display name (not unique: two users may share one). */
export const USER_HEADER = 'X-Forwarded-User';
/** Header that carries the user's email address, only one the provider vouches for. */
export const EMAIL_HEADER = 'X-Forwarded-Email';
/** Header that carries the user's stable id (Entra `oid`, else `sub`): the one apps key users on. */
export const SUBJECT_HEADER = 'X-Forwarded-Subject';
/** Header with the calling application's client id (bearer app-only tokens). */
export const CLIENT_ID_HEADER = 'X-Forwarded-Client-Id';
/** Header with the calling application's label from `ACCESS_POLICY` (a label, never an identity). */
export const CLIENT_NAME_HEADER = 'X-Forwarded-Client-Name';

/**
 * Makes any string safe for an HTTP header value and reversible: printable ASCII
 * other than `%` passes unchanged; everything else (non-ASCII such as `Ø` or `李`,
 * control characters including CR/LF, and `%` itself) is percent-encoded as UTF-8.
 * So `decodeURIComponent(value)` always gives back the original.
 */
export function encodeHeaderValue(value: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(value)) return value;
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    out +=
      code >= 0x20 && code <= 0x7e && ch !== '%'
        ? ch
        : encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

/** Every header name the service may set on an allowed request (for proxies to strip client copies). */
export function identityHeaderNames(config: Config): string[] {
  return [
    USER_HEADER,
    EMAIL_HEADER,
    SUBJECT_HEADER,
    CLIENT_ID_HEADER,
    CLIENT_NAME_HEADER,
    ...config.headers.map((h) => h.name),
    config.authorizationHeader,
    config.idTokenHeader,
  ].filter((h): h is string => h !== undefined);
}

/**
 * Builds the identity headers for a session, compiled once from the configuration.
 * They depend on the session alone (its claims, sub and tokens; sessions are never
 * changed in place, a refresh or touch makes a new object), so each session object's
 * headers are rendered once and the same frozen record is returned while that object
 * lives (a cached session serves every check of its cache lifetime with one render).
 */
export function compileIdentityHeaders(config: Config): (session: Session) => Readonly<Record<string, string>> {
  const render = renderIdentityHeaders(config);
  const rendered = new WeakMap<Session, Readonly<Record<string, string>>>();
  return (session) => {
    let headers = rendered.get(session);
    if (headers === undefined) {
      headers = Object.freeze(render(session));
      rendered.set(session, headers);
    }
    return headers;
  };
}

function renderIdentityHeaders(config: Config): (session: Session) => Record<string, string> {
  const custom = config.headers.map((h) => ({ name: h.name, render: compileTemplate(h.value) }));
  const entra = isEntraIssuer(config.issuerUrl);
  return (session) => {
    const { claims } = session;
    const headers: Record<string, string> = {};
    const user = displayName(claims);
    const email = verifiedEmail(claims, entra);
    const subject = stableSubject(claims, entra) ?? session.sub;
    if (user !== undefined) headers[USER_HEADER] = encodeHeaderValue(user);
    if (email !== undefined) headers[EMAIL_HEADER] = encodeHeaderValue(email);
    headers[SUBJECT_HEADER] = encodeHeaderValue(subject);
    for (const { name, render } of custom) {
      headers[name] = encodeHeaderValue(render({ claims, accessToken: session.accessToken, idToken: session.idToken }));
    }
    if (config.authorizationHeader && session.accessToken)
      headers[config.authorizationHeader] = `Bearer ${encodeHeaderValue(session.accessToken)}`;
    if (config.idTokenHeader && session.idToken) headers[config.idTokenHeader] = encodeHeaderValue(session.idToken);
    return headers;
  };
}
