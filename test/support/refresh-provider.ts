import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import { CLIENT, ORIGIN } from './harness.js';

/** A dev provider issuing refresh tokens, with a counter of redeemed refresh grants. */
export interface RefreshProvider {
  readonly idp: DevIdentityProvider;
  /** Refresh-token grants the provider answered with tokens. */
  refreshes(): number;
  /** Refresh-token grants the provider refused (e.g. a reused rotated token). */
  refused(): number;
  /** Grant ids the provider issued at code exchange, in order. */
  readonly grants: string[];
}

/** Starts the provider for the refresh tests: `accessTokenTtl` seconds, rotation on or off. */
export async function startRefreshProvider(
  options: { accessTokenTtl?: number; rotateRefreshToken?: boolean } = {},
): Promise<RefreshProvider> {
  const idp = await startDevIdentityProvider({
    clients: [{ ...CLIENT, redirectUris: [`${ORIGIN}/oauth2/callback`], postLogoutRedirectUris: [] }],
    accessTokenTtl: options.accessTokenTtl ?? 60,
    rotateRefreshToken: options.rotateRefreshToken ?? true,
  });
  let ok = 0;
  let refused = 0;
  const grants: string[] = [];
  idp.provider.on('grant.success', (ctx) => {
    const params = ctx.oidc.params as { grant_type?: string } | undefined;
    if (params?.grant_type === 'refresh_token') ok++;
    const grant = ctx.oidc.entities.Grant as { jti?: string } | undefined;
    if (params?.grant_type === 'authorization_code' && grant?.jti) grants.push(grant.jti);
  });
  idp.provider.on('grant.error', (ctx) => {
    if ((ctx.oidc.params as { grant_type?: string } | undefined)?.grant_type === 'refresh_token') refused++;
  });
  return { idp, refreshes: () => ok, refused: () => refused, grants };
}
