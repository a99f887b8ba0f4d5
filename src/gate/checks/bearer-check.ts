import { createBearerAuth, type BearerAuth } from '../../authz/bearer/bearer-auth.js';
import type { BearerDecision } from '../../authz/bearer/bearer-check.js';
import type { JwksOptions } from '../../authz/bearer/jwks-resolver.js';
import { GraphGroups, graphScope } from '../../authz/graph-groups.js';
import { AppError } from '../../errors/app-error.js';
import type { Decision, GateRequest } from '../decision.js';
import type { GateDeps } from '../flows/context.js';

/**
 * The bearer step of an access check: a decision when the request is the bearer
 * check's (it carries `Authorization`, or its path is bearer-only), else undefined
 * and the cookie session decides, unchanged.
 */
export type BearerStep = (req: GateRequest) => Decision | Promise<Decision | undefined> | undefined;

/** What the bearer step shares with the gate, and the JWKS fetch behaviour (tests). */
export interface BearerStepOptions {
  readonly jwks?: JwksOptions;
  /** `ENTRA_GROUPS_OVERAGE=graph`: resolves groups in overage (`createGraphGroups`). */
  readonly overageGroups?: OverageGroups | undefined;
}

/** Resolves the groups of a token in overage; undefined when they cannot be known. */
export type OverageGroups = (claims: Readonly<Record<string, unknown>>) => Promise<readonly string[] | undefined>;

/** With `ENTRA_GROUPS_OVERAGE=graph`, the Graph lookup (the app's own token by client credentials); else undefined. */
export function createGraphGroups(deps: GateDeps): OverageGroups | undefined {
  const { config, oidc } = deps;
  if (config.groupsOverage !== 'graph') return undefined;
  const graph = new GraphGroups({
    graphUrl: config.graphUrl,
    graphToken: () => oidc.clientCredentials(graphScope(config.graphUrl)),
  });
  return (claims) => graph.groupsOf(claims);
}

const NO_COOKIES: readonly [] = [];

/**
 * Builds the bearer step, or undefined when `BEARER_AUTH` is off. The validator is
 * built on first use from the discovered provider metadata (issuer, `jwks_uri`,
 * algorithms); until discovery succeeded a bearer request gets 503, like a login.
 */
export function createBearerStep(deps: GateDeps, options: BearerStepOptions = {}): BearerStep | undefined {
  const { config, oidc, logger } = deps;
  if (!config.bearer.enabled) return undefined;
  const anyBearerOnly = config.bearer.onlyPaths.length > 0;
  let auth: BearerAuth | undefined;

  function built(): BearerAuth {
    if (auth !== undefined) return auth;
    const metadata = oidc.ready ? oidc.metadata() : undefined;
    if (metadata === undefined) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        'The identity provider cannot be reached right now. Please try again in a moment.',
        'provider metadata not loaded yet: bearer tokens cannot be checked',
      );
    }
    auth = createBearerAuth({
      bearer: config.bearer,
      realm: config.domain,
      clientId: config.clientId,
      assertClaims: config.assertClaims,
      headers: config.headers,
      metadata,
      overageGroups: options.overageGroups,
      ...(options.jwks ? { jwks: options.jwks } : {}),
    });
    return auth;
  }

  function answer(decision: BearerDecision, req: GateRequest): Decision | undefined {
    switch (decision.kind) {
      case 'pass':
        return undefined;
      case 'allow-user':
      case 'allow-app':
        return { kind: 'allow', headers: decision.headers, setCookies: NO_COOKIES };
      case 'refuse':
        logger.info(
          {
            event: 'bearer_refused',
            status: decision.status,
            reason: decision.log.reason,
            clientId: decision.log.clientId,
            correlationId: req.correlationId(),
          },
          'bearer request refused',
        );
        return {
          kind: 'bearer-refused',
          status: decision.status,
          challenge: decision.challenge,
          setCookies: NO_COOKIES,
        };
    }
  }

  return (req) => {
    const authorization = req.headers.authorization;
    // The cookie path's only cost: this one header lookup.
    if (authorization === undefined && !anyBearerOnly) return undefined;
    const decision = built().check(authorization, req.uri);
    return decision instanceof Promise ? decision.then((d) => answer(d, req)) : answer(decision, req);
  };
}
