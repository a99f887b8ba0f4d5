// Keys accepted for compatibility but without effect: the install notes name the ones a
// release sets, and the list in templates/_no-effect.tpl is the one values.yaml documents
// ("Accepted, no effect"), with values.yaml's own defaults.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { chartDir, ciDir, helm } from './helm.js';

const valuesText = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
const values = load(valuesText) as Record<string, unknown>;
const tpl = readFileSync(join(chartDir, 'templates/_no-effect.tpl'), 'utf8');
const block = /define "idp-oidc-middleware\.noEffectDefaults" -}}\n([\s\S]*?)\{\{- end -}}/.exec(tpl)?.[1] ?? '';
const declared = load(block) as Record<string, string>;
/** Set by the platform (ArgoCD), not by teams: never warned about. */
const platformKeys = new Set(['idp_oidc_provider_url', 'idp_aws_account']);

/** Paths of the values.yaml keys whose comment says "Accepted, no effect". */
function documentedNoEffect(): string[] {
  const stack: { indent: number; key: string }[] = [];
  const found: string[] = [];
  let flagged = false;
  for (const line of valuesText.split('\n')) {
    const comment = /^\s*#/.test(line);
    if (comment) {
      if (line.includes('Accepted, no effect')) flagged = true;
      continue;
    }
    const key = /^(\s*)([A-Za-z_][\w-]*):/.exec(line);
    if (!key) continue;
    const indent = key[1].length;
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    stack.push({ indent, key: key[2] });
    const path = stack.map((s) => s.key).join('.');
    if (flagged && !platformKeys.has(path)) found.push(path);
    flagged = false;
  }
  return found.sort();
}

function at(path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], values);
}

async function notes(valuesFile: string, ...set: string[]): Promise<string> {
  const args = ['install', 'rel', chartDir, '-n', 'team', '--dry-run=client', '-f', join(ciDir, valuesFile)];
  const result = await helm([...args, ...set.flatMap((s) => ['--set', s])]);
  expect(result.code).toBe(0);
  return result.stdout.slice(result.stdout.indexOf('NOTES:'));
}

describe('keys without effect', () => {
  it('are exactly the keys values.yaml documents as "Accepted, no effect", with its defaults', () => {
    expect(Object.keys(declared).sort()).toEqual(documentedNoEffect());
    for (const [path, def] of Object.entries(declared)) {
      const value = at(path);
      expect([path, Array.isArray(value) ? JSON.stringify(value) : String(value)]).toEqual([path, def]);
    }
  });

  it('are each named in the install notes when a plugin-era values file sets them', async () => {
    const text = await notes('plugin-era-keys-values.yaml');
    expect(text).toContain('WARNING: these keys are set but have no effect');
    for (const path of ['provider.usePkce', 'provider.validateIssuer', 'sessionCookie.Path', 'requestedResources'])
      expect(text).toContain(path);
  });

  it('are not mentioned when a release leaves them at their defaults', async () => {
    expect(await notes('existing-team-values.yaml')).not.toContain('WARNING');
  });

  it('name only the key a release sets', async () => {
    const text = await notes('existing-team-values.yaml', 'provider.insecureSkipVerify=true');
    expect(text).toMatch(/next major version\): provider\.insecureSkipVerify\.\n?$/);
  });
});
