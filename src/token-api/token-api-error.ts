/**
 * An error the token API answers with: an HTTP status and the OAuth 2.0 error
 * body `{error, error_description}` (RFC 6749 §5.2), the only shape texas sends.
 */
export class TokenApiError extends Error {
  /**
   * @param status HTTP status of the answer (a provider's own status when passed through).
   * @param error OAuth error code, e.g. `invalid_request`, `invalid_client`, `server_error`.
   * @param description Human-readable `error_description`; never contains a token.
   */
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'TokenApiError';
  }

  /** The JSON body of the answer. */
  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** A 400 `invalid_request`: the caller's request is malformed or not supported. */
export function invalidRequest(description: string): TokenApiError {
  return new TokenApiError(400, 'invalid_request', description);
}

/** A 500 `server_error`: the provider could not be reached or answered nonsense. */
export function serverError(description: string): TokenApiError {
  return new TokenApiError(500, 'server_error', description);
}
