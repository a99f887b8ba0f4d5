import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const source = ['load-config.ts', 'env-reader.ts'].map((f) => readFileSync(new URL(`../../src/config/${f}`, import.meta.url), 'utf8')).join('\n');
const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const types = readFileSync(new URL('../../src/config/config.ts', import.meta.url), 'utf8');

/** Every variable name the loader reads: string literals of UPPER_SNAKE_CASE passed to the reader. */
function variablesRead(): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/r\.(?:raw|secret|string|oneOf|boolean|integer|list|json|required|url)\(\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(m[1] ?? '');
  for (const m of source.matchAll(/\bpath\(r, '([A-Z_]+)'|headerName\(r, '([A-Z_]+)'/g)) names.add(m[1] ?? m[2] ?? '');
  names.delete('');
  return [...names].sort();
}

describe('docs/configuration.md', () => {
  const names = variablesRead();

  it('finds the variables the loader reads', () => {
    expect(names.length).toBeGreaterThan(35);
    expect(names).toContain('SESSION_SECRET');
  });

  it.each(names)('documents %s', (name) => {
    expect(docs).toMatch(new RegExp(`\`${name}\``));
  });

  it.each(['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'SESSION_SECRET', 'REDIS_PASSWORD'])('documents the %s_FILE variant of a secret', (name) => {
    expect(source).toMatch(new RegExp(`secret\\('${name}'\\)`));
    expect(docs).toContain(`\`${name}_FILE\``);
  });

  it.each(names.filter((n) => !['OIDC_ISSUER_URL', 'AZURE_TENANT_ID'].includes(n)))('has TSDoc on the Config field for %s', (name) => {
    expect(types).toMatch(new RegExp(`\`${name}\``));
  });
});
