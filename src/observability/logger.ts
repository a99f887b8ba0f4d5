import { pino, type Logger, type DestinationStream } from 'pino';

import { ERROR_CODES } from '../errors/app-error.js';

export type { Logger };

/**
 * Field names whose values are never written, wherever they appear in a log
 * object: tokens, codes, cookies and secrets. Log lines carry ids, not credentials.
 */
export const REDACTED_PATHS = [
  'cookie',
  '*.cookie',
  'headers.cookie',
  'headers.authorization',
  'authorization',
  'code',
  '*.code_verifier',
  'state',
  'nonce',
  'idToken',
  'accessToken',
  'refreshToken',
  'id_token',
  'access_token',
  'refresh_token',
  'clientSecret',
  'sessionSecret',
  'password',
  '*.idToken',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.sessionSecret',
];

/**
 * The service's own error codes (`AppError.code`), the one value under `code`
 * that is written as is: any other value there could be an authorization code.
 */
const SERVICE_CODES: ReadonlySet<string> = new Set<string>(ERROR_CODES);

function censor(value: unknown, path: string[]): unknown {
  return path.length === 1 && path[0] === 'code' && typeof value === 'string' && SERVICE_CODES.has(value)
    ? value
    : '[redacted]';
}

/** Creates the JSON logger; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'idp-oidc-middleware' },
      redact: { paths: REDACTED_PATHS, censor },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
