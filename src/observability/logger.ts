import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Field names whose values are never written, wherever they appear in a log
 * object: tokens, codes, cookies and secrets. Log lines carry ids, not credentials.
 */
export const REDACTED_PATHS = [
  'cookie', '*.cookie', 'headers.cookie', 'headers.authorization', 'authorization',
  'code', '*.code_verifier', 'state', 'nonce', 'idToken', 'accessToken', 'refreshToken',
  'id_token', 'access_token', 'refresh_token', 'clientSecret', 'sessionSecret', 'password',
  '*.idToken', '*.accessToken', '*.refreshToken', '*.clientSecret', '*.sessionSecret',
];

/** Creates the JSON logger; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'idp-oidc-middleware' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
