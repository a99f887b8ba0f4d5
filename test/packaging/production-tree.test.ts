import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEV_USERS } from '../../dev/test-users.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Packages only development needs: the dev provider (and its Koa server), the TypeScript runner (and esbuild). */
const DEV_ONLY = ['oidc-provider', 'tsx', 'koa', 'esbuild'];

interface NpmTree {
  readonly dependencies?: Readonly<Record<string, NpmTree>>;
}

function packageNames(tree: NpmTree, into = new Set<string>()): Set<string> {
  for (const [name, sub] of Object.entries(tree.dependencies ?? {})) {
    into.add(name);
    packageNames(sub, into);
  }
  return into;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('the production dependency tree', () => {
  it('has no development-only package (npm ls --omit=dev)', async () => {
    const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--json'], {
      cwd: ROOT,
      maxBuffer: 32 * 1024 * 1024,
    });
    const names = packageNames(JSON.parse(stdout) as NpmTree);
    expect(names.has('openid-client')).toBe(true);
    expect(DEV_ONLY.filter((name) => names.has(name))).toEqual([]);
  });

  it('is what package-lock.json installs with --omit=dev', async () => {
    const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const production = Object.entries(lock.packages)
      .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true)
      .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(production).toContain('openid-client');
    expect(DEV_ONLY.filter((name) => production.includes(name))).toEqual([]);
  });
});

describe('the build output', () => {
  let outDir: string;
  let files: string[];

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'idp-build-'));
    await run(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      {
        cwd: ROOT,
      },
    );
    files = await filesUnder(outDir);
  }, 120_000);
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('holds the service, compiled from src/ only', () => {
    const relative = files.map((f) => path.relative(outDir, f));
    expect(relative).toContain('main.js');
    expect(relative).toContain(path.join('http', 'forward-auth.js'));
    expect(relative.filter((f) => f.startsWith('..') || /^(dev|test|scripts|bench)[/\\]/.test(f))).toEqual([]);
  });

  it('holds no development code: no identity provider, no test users or passwords', async () => {
    const leaks: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const rel = path.relative(outDir, file);
      if (/identity-provider|test-users|demo-app|login-page/.test(rel)) leaks.push(rel);
      if (/oidc-provider|startDevIdentityProvider|DEV_USERS/.test(text)) leaks.push(`${rel}: dev reference`);
      for (const user of DEV_USERS)
        if (text.includes(user.password)) leaks.push(`${rel}: password of ${user.username}`);
    }
    expect(leaks).toEqual([]);
  });
});
