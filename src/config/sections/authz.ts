import { bypassPathProblems } from '../../authz/bypass-paths.js';
import { parseClaimRules, type ClaimRule } from '../../authz/claim-rules.js';
import { defineSection, v } from '../declare.js';

/** Which requests pass without login, and which claims a session must have. */
export interface AuthzConfig {
  /** `BYPASS_PATHS`: comma-separated exact paths that pass without login. Default none. */
  readonly bypassPaths: readonly string[];
  /** `ASSERT_CLAIMS`: JSON list of `{name, anyOf|allOf}` rules; every rule must hold. Default none. */
  readonly assertClaims: readonly ClaimRule[];
  /**
   * `ENTRA_GROUPS_OVERAGE`: what a rule on `groups` does when the token says the groups are
   * in overage (`_claim_names.groups`): `deny` (logged) or `graph` (ask Microsoft Graph). Default `deny`.
   */
  readonly groupsOverage: GroupsOverage;

  /** `ENTRA_GRAPH_URL`: the Microsoft Graph endpoint for `ENTRA_GROUPS_OVERAGE=graph`. Default `https://graph.microsoft.com`. */
  readonly graphUrl: URL;
}

/** How groups in overage are resolved. */
export type GroupsOverage = 'deny' | 'graph';

/** `BYPASS_PATHS`, `ASSERT_CLAIMS` and `ENTRA_GROUPS_OVERAGE`. */
export const authzSection = defineSection({
  name: 'authz',
  variables: {
    bypassPaths: v.list('BYPASS_PATHS', {
      doc: 'Exact paths, separated by commas, that pass with no login and no identity headers.',
    }),
    assertClaims: v.json('ASSERT_CLAIMS', {
      doc: 'JSON list of {name, anyOf|allOf} rules; every one must hold, else 403.',
    }),
    groupsOverage: v.oneOf('ENTRA_GROUPS_OVERAGE', ['deny', 'graph'] as const, 'deny', {
      doc: 'Groups in overage (_claim_names.groups): deny with a logged reason, or graph: look them up in Microsoft Graph.',
    }),
    graphUrl: v.url('ENTRA_GRAPH_URL', ['https', 'http'], {
      default: 'https://graph.microsoft.com',
      doc: 'Microsoft Graph endpoint for ENTRA_GROUPS_OVERAGE=graph (national clouds: their Graph host).',
    }),
  },
  build(
    { bypassPaths, assertClaims, groupsOverage, graphUrl },
    r,
    before: { allowInsecureHttp: boolean },
  ): AuthzConfig {
    r.problems.push(...bypassPathProblems(bypassPaths, 'BYPASS_PATHS'));
    const claims = parseClaimRules(assertClaims, 'ASSERT_CLAIMS');
    r.problems.push(...claims.problems);
    if (graphUrl?.protocol === 'http:' && !before.allowInsecureHttp)
      r.problems.push('ENTRA_GRAPH_URL must use https (http only with OIDC_ALLOW_INSECURE_HTTP=true)');
    return {
      bypassPaths,
      assertClaims: claims.rules,
      groupsOverage,
      graphUrl: graphUrl ?? new URL('https://graph.microsoft.com'),
    };
  },
});
