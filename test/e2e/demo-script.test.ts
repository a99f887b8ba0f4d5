import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { freePort, ROOT } from './support/stack.js';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** The environment without any provider settings a developer's shell might carry. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the keys are the environment's own
  for (const key of Object.keys(env)) if (/^(OIDC_|AZURE_|DEMO_)/.test(key)) delete env[key];
  return { ...env, ...extra };
}

function runDemo(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(TSX, ['scripts/demo.ts'], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(output: () => string, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`demo never printed "${text}":\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run demo (scripts/demo.ts)', () => {
  it.each([
    ['OIDC_ISSUER_URL', 'https://login.example.com'],
    ['AZURE_TENANT_ID', '00000000-0000-0000-0000-000000000000'],
  ])('refuses to start the development provider when %s names a real provider', async (name, value) => {
    const demo = runDemo({
      [name]: value,
      DEMO_PORT: String(await freePort()),
      DEMO_PROVIDER_PORT: String(await freePort()),
    });
    const code = await demo.exited;
    expect(code).not.toBe(0);
    expect(demo.output()).toContain(`refusing to start: ${name} is set`);
    expect(demo.output()).not.toContain('Demo running');
  });

  describe('with no configuration', () => {
    let browser: Browser;
    let demo: ReturnType<typeof runDemo>;
    let origin: string;

    beforeAll(async () => {
      const port = await freePort();
      origin = `http://localhost:${port}`;
      demo = runDemo({
        DEMO_PORT: String(port),
        DEMO_PROVIDER_PORT: String(await freePort()),
        DEMO_TOKEN_API_PORT: String(await freePort()),
      });
      [browser] = await Promise.all([launchBrowser(), waitFor(demo.output, 'Demo running')]);
    });

    afterAll(async () => {
      await browser?.close();
      if (demo?.child.exitCode === null && demo.child.pid) process.kill(demo.child.pid, 'SIGTERM');
      await demo?.exited;
    });

    it('prints the URL to open and the test users', () => {
      expect(demo.output()).toContain(`Open ${origin}/ in a browser`);
      expect(demo.output()).toMatch(/alice\s+\/ alice-password\s+allowed/);
      expect(demo.output()).toMatch(/bob\s+\/ bob-password\s+signs in, but is not in demo-users/);
    });

    it('signs alice in at the development provider and shows her the demo app', async () => {
      const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await expect(page.getByText('Development identity provider').isVisible()).resolves.toBe(true);
      await signIn(page, 'alice');
      await page.waitForURL(`${origin}/`);
      await expect(page.getByTestId('user').textContent()).resolves.toBe('Alice Andersen');
      await screenshot(page, 'demo-app', false);
      const phone = await browser.newContext({
        viewport: { width: 390, height: 760 },
        storageState: await context.storageState(),
      });
      const phonePage = await phone.newPage();
      await phonePage.goto(`${origin}/`);
      await screenshot(phonePage, 'demo-app-390px');
      await Promise.all([context.close(), phone.close()]);
    });

    it('stops cleanly on SIGTERM', async () => {
      process.kill(demo.child.pid ?? 0, 'SIGTERM');
      await expect(demo.exited).resolves.toBe(0);
    });
  });
});
