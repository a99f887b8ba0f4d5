// values.yaml, values.schema.json, docs/helm.md and NOTES.txt agree: every key is
// commented, declared in the schema and listed in the docs table; every 0.3.3 key is
// still accepted; the install notes print the exact middleware reference.
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { chartDir, ciDir, helm, repoRoot } from './helm.js';

const valuesText = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
const values = load(valuesText) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
const helmDoc = readFileSync(join(repoRoot, 'docs/helm.md'), 'utf8');
const migrationDoc = readFileSync(join(repoRoot, 'docs/migration.md'), 'utf8');

/** Objects documented as a whole (Kubernetes pass-through or free-form maps). */
const wholeObjects = new Set([
  'global',
  'resources',
  'podSecurityContext',
  'securityContext',
  'podAnnotations',
  'podLabels',
  'nodeSelector',
  'affinity',
  'serviceMonitor.labels',
  'tokenApi.downstreamApis',
]);

function leafPaths(node: unknown, prefix = ''): string[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || wholeObjects.has(prefix)) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

function schemaAt(path: string): any {
  return path.split('.').reduce((s: any, key) => s?.properties?.[key], schema);
}

const leaves = leafPaths(values);

/** Keys of the plugin-based chart 0.3.3 that must keep working. */
const pluginEraKeys = [
  'domain',
  'nameOverride',
  'fullnameOverride',
  'provider.tenantId',
  'provider.url',
  'provider.usePkce',
  'provider.tokenValidation',
  'provider.scopes',
  'provider.tokenRenewalThreshold',
  'provider.validateIssuer',
  'provider.validIssuer',
  'provider.validateAudience',
  'provider.validAudience',
  'provider.insecureSkipVerify',
  'provider.useClaimsFromUserInfo',
  'sessionCookie.Secure',
  'sessionCookie.HttpOnly',
  'sessionCookie.SameSite',
  'sessionCookie.Path',
  'sessionCookie.MaxAge',
  'sessionCookie.Domain',
  'callbackUri',
  'loginUri',
  'postLoginRedirectUri',
  'validPostLoginRedirectUris',
  'logoutUri',
  'postLogoutRedirectUri',
  'validPostLogoutRedirectUris',
  'unauthorizedBehavior',
  'headers',
  'authorizationHeader.name',
  'authorizationCookie.name',
  'authorization.checkOnEveryRequest',
  'authorization.assertClaims',
  'errorPages.unauthenticated.filePath',
  'errorPages.unauthenticated.redirectTo',
  'errorPages.unauthorized.filePath',
  'errorPages.unauthorized.redirectTo',
  'bypassPaths',
  'bypassAuthenticationRule',
  'logLevel',
  'cookieNamePrefix',
  'requestedResources',
  'forceSync',
  'externalSecret.remoteSecretName',
  'externalSecret.remoteSecretPath',
  'externalSecret.keys.clientId',
  'externalSecret.keys.clientSecret',
  'externalSecret.keys.sessionSecret',
  'externalSecret.refreshInterval',
  'externalSecret.separateSecrets.clientId',
  'externalSecret.separateSecrets.clientSecret',
  'externalSecret.separateSecrets.sessionSecret',
  'global',
  'idp_oidc_provider_url',
  'idp_aws_account',
];

describe('values.yaml', () => {
  it('has a comment above every key outside the Kubernetes pass-through defaults', () => {
    const lines = valuesText.split('\n');
    const stack: string[] = [];
    const uncommented: string[] = [];
    lines.forEach((line, i) => {
      const m = /^(\s*)([A-Za-z_][\w-]*):/.exec(line);
      if (!m) return;
      stack.length = m[1].length / 2;
      const insideWhole = stack.some((_, d) => wholeObjects.has(stack.slice(0, d + 1).join('.')));
      stack.push(m[2]);
      if (!insideWhole && !/^\s*#/.test(lines[i - 1] ?? '')) uncommented.push(stack.join('.'));
    });
    expect(uncommented).toEqual([]);
  });

  it('declares every key in values.schema.json', () => {
    expect(leaves.filter((p) => schemaAt(p) === undefined)).toEqual([]);
  });

  it('forbids unknown keys in every object of the schema except the pass-through ones', () => {
    const open: string[] = [];
    const walk = (node: any, path: string) => {
      if (node?.type === 'object' && node.properties && node.additionalProperties !== false) open.push(path);
      for (const [k, child] of Object.entries(node?.properties ?? {})) walk(child, path ? `${path}.${k}` : k);
      if (node?.items) walk(node.items, `${path}[]`);
    };
    walk(schema, '');
    expect(open).toEqual([]);
  });
});

describe('0.3.3 compatibility', () => {
  it.each(pluginEraKeys)('still accepts %s', (key) => {
    expect(schemaAt(key)).toBeDefined();
    expect(leaves.some((leaf) => leaf === key || leaf.startsWith(`${key}.`))).toBe(true);
  });

  it('sets every 0.3.3 key in ci/plugin-era-keys-values.yaml', () => {
    const file = load(readFileSync(join(ciDir, 'plugin-era-keys-values.yaml'), 'utf8'));
    const set = leafPaths(file);
    expect(pluginEraKeys.filter((k) => !set.some((p) => p === k || p.startsWith(`${k}.`)))).toEqual([]);
  });

  it('explains in docs/migration.md every key that has no effect', () => {
    const noEffect = [...helmDoc.matchAll(/^\| `([^`]+)` \|[^|]*\| no effect/gm)].map((m) => m[1]);
    expect(noEffect.length).toBeGreaterThan(10);
    expect(noEffect.filter((k) => !migrationDoc.includes(`\`${k}\``))).toEqual([]);
  });
});

describe('docs/helm.md', () => {
  it('lists every value key in its table', () => {
    expect(leaves.filter((p) => !helmDoc.includes(`| \`${p}\` |`))).toEqual([]);
  });
});

describe('install notes', () => {
  it('print the exact middleware reference for the ingress', async () => {
    const result = await helm([
      'install',
      'myapp-oidc',
      chartDir,
      '--namespace',
      'my-namespace',
      '--dry-run=client',
      '-f',
      join(ciDir, 'existing-team-values.yaml'),
    ]);
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('traefik.ingress.kubernetes.io/router.middlewares: my-namespace-myapp-oidc@kubernetescrd');
    expect(notes).toContain('https://myapp.my-namespace.idp.jppol.dk/oauth2/callback');
    expect(notes.split('\n').length).toBeLessThan(20);
  });
});
