import * as client from 'openid-client';
import { AppError, isAppError } from '../errors/app-error.js';

function statusOf(err: unknown): number | undefined {
  if (err instanceof client.ResponseBodyError) return err.status;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Response ? cause.status : undefined;
}

function isNetworkFailure(err: unknown): boolean {
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (e instanceof TypeError) return true;
    const name = (e as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|UND_ERR_)/.test(code))
      return true;
  }
  return false;
}

/** Longest provider-supplied text kept for the log. */
const MAX_REASON = 300;

function clip(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON)}…` : flat;
}

/**
 * Why openid-client refused the answer, for the log: the messages of the error and
 * its causes (e.g. `unexpected JWT "nonce" (nonce) claim value`, `JWT signature
 * verification failed`) and the failing claim's name. Only those strings are read:
 * the causes' other fields hold the token's claims, signing input and expected values.
 */
export function providerReason(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && !parts.includes(code)) parts.push(code);
      if (e.message && !parts.includes(e.message)) parts.push(e.message);
    } else if (typeof e === 'object' && typeof (e as { claim?: unknown }).claim === 'string') {
      parts.push(`claim ${(e as { claim: string }).claim}`);
    }
  }
  return clip(parts.join(': ') || 'unknown');
}

function describeOAuthError(err: { error: string; error_description?: string | undefined }): string {
  return clip(err.error_description ? `${err.error}: ${err.error_description}` : err.error);
}

/**
 * Turns what openid-client throws during the code exchange into one of our coded
 * errors. The reason (the provider's error code and description, or why the answer
 * failed validation) goes to `detail` and the error to `cause`, never its tokens.
 */
export function classifyProviderError(err: unknown, operation: string): AppError {
  if (isAppError(err)) return err;
  // openid-client wraps what a ClientAuth throws (an unreadable assertion file) in a ClientError.
  if (err instanceof client.ClientError && isAppError(err.cause)) return err.cause;
  if (err instanceof client.AuthorizationResponseError) {
    return new AppError(
      'PROVIDER_DENIED',
      `The sign-in was not completed: the identity provider answered "${err.error}".`,
      `authorization response error ${describeOAuthError(err)}`,
      { cause: err },
    );
  }
  const status = statusOf(err);
  if (isNetworkFailure(err) || (status !== undefined && status >= 500)) {
    return new AppError(
      'PROVIDER_UNAVAILABLE',
      'The identity provider cannot be reached right now. Please try again in a moment.',
      `${operation}: provider unreachable${status ? ` (HTTP ${status})` : ''}`,
      { cause: err },
    );
  }
  if (err instanceof client.ResponseBodyError) {
    return new AppError(
      'CODE_REJECTED',
      'The identity provider rejected this sign-in (the link may have been used already). Please sign in again.',
      `${operation}: ${describeOAuthError(err)}`,
      { cause: err },
    );
  }
  return new AppError(
    'TOKEN_INVALID',
    'The identity provider’s answer could not be verified. Please sign in again.',
    `${operation}: ${providerReason(err)}`,
    { cause: err },
  );
}
