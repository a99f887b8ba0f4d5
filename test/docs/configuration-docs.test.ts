import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { declarations } from '../../src/config/index.js';

const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** One row of a `| Variable | Default | Meaning |` table: the variables it names and its default cell. */
interface Row {
  readonly names: readonly string[];
  readonly defaultCell: string;
}

/** The rows of every variable table in docs/configuration.md. */
function documentedRows(): Row[] {
  const rows: Row[] = [];
  let inTable = false;
  for (const line of docs.split('\n')) {
    if (/^\| Variable \| Default \| Meaning \|$/.test(line)) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    else if (inTable && !line.startsWith('|---')) {
      const [first = '', second = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      rows.push({ names: [...first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''), defaultCell: second });
    }
  }
  return rows;
}

const rows = documentedRows();
const rowOf = (name: string) => rows.find((row) => row.names.includes(name));

describe('the configuration registry', () => {
  it('declares every variable once, each with a type and a one-line doc', () => {
    const names = declarations.map((d) => d.name);
    expect(names.length).toBeGreaterThan(35);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['SESSION_SECRET', 'SESSION_SECRETS', 'OIDC_ISSUER_URL', 'REDIS_URL']),
    );
    for (const d of declarations)
      expect({ name: d.name, type: d.type, doc: /^[^\n]{10,200}$/.test(d.doc) }).toEqual({
        name: d.name,
        type: expect.any(String),
        doc: true,
      });
  });

  it('marks the credentials as secrets', () => {
    const secrets = declarations
      .filter((d) => d.secret)
      .map((d) => d.name)
      .sort();
    expect(secrets).toEqual([
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'REDIS_PASSWORD',
      'SESSION_SECRET',
      'SESSION_SECRETS',
    ]);
  });
});

describe('docs/configuration.md', () => {
  it('has variable tables', () => {
    expect(rows.length).toBeGreaterThan(35);
  });

  it.each(declarations.map((d) => [d.name, d] as const))('documents %s with its default', (name, d) => {
    const row = rowOf(name);
    expect(row).toBeDefined();
    const cell = row?.defaultCell ?? '';
    if (d.default !== undefined) expect(cell).toContain(`\`${d.default}\``);
    else if (d.required) expect(cell).toMatch(/^— \(required/);
    else expect(cell).toMatch(/^(—|none)/);
  });

  it.each(declarations.filter((d) => d.secret).map((d) => d.name))(
    'documents the %s_FILE variant of a secret',
    (name) => {
      expect(rowOf(name)?.names).toContain(`${name}_FILE`);
    },
  );

  it.each(rows.flatMap((row) => row.names))('lists only declared variables: %s', (name) => {
    const declared = declarations.find((d) => d.name === name || (d.secret && `${d.name}_FILE` === name));
    expect(declared).toBeDefined();
  });
});
