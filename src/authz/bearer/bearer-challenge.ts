/** RFC 6750 §3.1 error codes, with the status each is answered with. */
export const BEARER_ERROR_STATUS = { invalid_request: 400, invalid_token: 401, insufficient_scope: 403 } as const;

/** An RFC 6750 error code. */
export type BearerErrorCode = keyof typeof BEARER_ERROR_STATUS;

/** What goes into one `WWW-Authenticate: Bearer` challenge. */
export interface Challenge {
  /** The protection space: `DOMAIN`. */
  readonly realm: string;
  /** Absent for a request without any credentials (RFC 6750 §3.1). */
  readonly error?: BearerErrorCode | undefined;
  /** One phrase of the fixed vocabulary; never token contents. */
  readonly description?: string | undefined;
  /** Roles or scopes that would be enough (with `insufficient_scope`). */
  readonly scope?: readonly string[] | undefined;
}

// quoted-string content: any visible ASCII or space, except `"` and `\` (left out rather than escaped).
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]|["\\]/g, '')}"`;
}

/**
 * The exact `WWW-Authenticate` value: `Bearer realm="<DOMAIN>"`, then `error`,
 * `error_description` and `scope` when given, in that order, comma-separated.
 */
export function bearerChallenge(challenge: Challenge): string {
  const params = [`realm=${quoted(challenge.realm)}`];
  if (challenge.error !== undefined) params.push(`error=${quoted(challenge.error)}`);
  if (challenge.description !== undefined) params.push(`error_description=${quoted(challenge.description)}`);
  const scope = challenge.scope?.filter((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) ?? [];
  if (scope.length > 0) params.push(`scope=${quoted(scope.join(' '))}`);
  return `Bearer ${params.join(', ')}`;
}

/** A refusal ready to be written: status, headers and the JSON body text. */
export interface BearerAnswer {
  readonly status: 400 | 401 | 403;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The whole answer for a refusal: the challenge, `Cache-Control: no-store`, and a
 * JSON body `{error, message, correlationId}` where `error` is the RFC 6750 code
 * (`unauthenticated` when the request had no credentials).
 */
export function bearerAnswer(challenge: Challenge, correlationId: string): BearerAnswer {
  const status = challenge.error === undefined ? 401 : BEARER_ERROR_STATUS[challenge.error];
  const message = challenge.description ?? 'a bearer token is required';
  return {
    status,
    headers: {
      'WWW-Authenticate': bearerChallenge(challenge),
      'Cache-Control': 'no-store',
      'Content-Type': 'application/json; charset=utf-8',
    },
    body: JSON.stringify({ error: challenge.error ?? 'unauthenticated', message, correlationId }),
  };
}
