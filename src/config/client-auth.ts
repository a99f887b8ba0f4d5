import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import type { EnvReader } from './env-reader.js';

/** `alg` values `OIDC_CLIENT_JWK_FILE` accepts, with the key type (and curve) each one needs. */
const ASYMMETRIC_ALGS: Readonly<Record<string, { kty: string; crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
};

/**
 * How the client authenticates at the token endpoint, for every grant (code exchange,
 * refresh, client credentials, on-behalf-of). Only file paths are kept here: the key
 * and the assertion are read where they are used (`src/oidc/client-auth.ts`).
 */
export type ClientAuthConfig =
  /** `OIDC_CLIENT_SECRET`, sent as `client_secret_post`. */
  | { readonly method: 'client_secret_post' }
  /** `OIDC_CLIENT_JWK_FILE`: a private JWK signs a fresh client assertion per request. */
  | { readonly method: 'private_key_jwt'; readonly jwkFile: string }
  /** `OIDC_CLIENT_ASSERTION_FILE`: a federated token, re-read per request and sent as the client assertion. */
  | { readonly method: 'federated_assertion'; readonly assertionFile: string };

/** Why the JWK file's content is not a usable private signing key, or undefined when it is. Never quotes the key. */
function jwkProblem(text: string): string | undefined {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    return 'is not JSON (expected one private JWK)';
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'is not a JSON object (expected one JWK)';
  const { kty, kid, alg, crv, d } = jwk as Record<string, unknown>;
  if (typeof kid !== 'string' || kid === '') return 'has no "kid"';
  const expected = typeof alg === 'string' ? ASYMMETRIC_ALGS[alg] : undefined;
  if (expected === undefined)
    return `needs "alg" set to an asymmetric signing algorithm (${Object.keys(ASYMMETRIC_ALGS).join(', ')})`;
  if (kty !== expected.kty || (expected.crv !== undefined && crv !== expected.crv))
    return `has alg ${String(alg)}, which needs a ${expected.kty}${expected.crv ? ` ${expected.crv}` : ''} key`;
  if (typeof d !== 'string') return 'holds a public key; a private key (with "d") is required';
  try {
    createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return 'is not a valid private key';
  }
  return undefined;
}

function readable(r: EnvReader, name: string, path: string): string | undefined {
  try {
    return r.readFile(path);
  } catch (err) {
    r.problems.push(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/**
 * Chooses the client authentication from `OIDC_CLIENT_SECRET`, `OIDC_CLIENT_JWK_FILE`
 * and `OIDC_CLIENT_ASSERTION_FILE`, checking at start that the files are there and
 * the key is usable. Problems name the variable and the path, never the content.
 */
export function readClientAuth(
  r: EnvReader,
  secret: string | undefined,
  jwkFile: string | undefined,
  assertionFile: string | undefined,
): { clientSecret: string | undefined; clientAuth: ClientAuthConfig } {
  if (jwkFile !== undefined && assertionFile !== undefined) {
    r.problems.push('OIDC_CLIENT_JWK_FILE and OIDC_CLIENT_ASSERTION_FILE are both set; set only one');
    return { clientSecret: undefined, clientAuth: { method: 'private_key_jwt', jwkFile } };
  }
  const secretless =
    jwkFile !== undefined
      ? 'OIDC_CLIENT_JWK_FILE'
      : assertionFile !== undefined
        ? 'OIDC_CLIENT_ASSERTION_FILE'
        : undefined;
  if (secretless === undefined) {
    r.required(
      'OIDC_CLIENT_SECRET',
      secret,
      'or authenticate without a secret with OIDC_CLIENT_JWK_FILE or OIDC_CLIENT_ASSERTION_FILE',
    );
    return { clientSecret: secret, clientAuth: { method: 'client_secret_post' } };
  }
  if (secret !== undefined)
    r.warnings.push(`OIDC_CLIENT_SECRET is ignored: ${secretless} authenticates the client without a secret`);
  if (jwkFile !== undefined) {
    const text = readable(r, 'OIDC_CLIENT_JWK_FILE', jwkFile);
    const problem = text === undefined ? undefined : jwkProblem(text);
    if (problem !== undefined) r.problems.push(`OIDC_CLIENT_JWK_FILE: ${jwkFile} ${problem}`);
    return { clientSecret: undefined, clientAuth: { method: 'private_key_jwt', jwkFile } };
  }
  const path = assertionFile ?? '';
  const text = readable(r, 'OIDC_CLIENT_ASSERTION_FILE', path);
  if (text?.trim() === '') r.problems.push(`OIDC_CLIENT_ASSERTION_FILE: file ${path} is empty`);
  return { clientSecret: undefined, clientAuth: { method: 'federated_assertion', assertionFile: path } };
}
