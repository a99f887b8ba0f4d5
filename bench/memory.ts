/**
 * `npm run bench -- memory`: resident size of the service (redis store) after
 * 100,000 distinct sessions have each been checked once, then across 1,000,000
 * more requests rotating over those sessions. Sessions are created directly in
 * redis through the store API. BENCH_MEMORY_SESSIONS and BENCH_MEMORY_REQUESTS
 * shorten a run.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { startDevIdentityProvider } from '../dev/identity-provider.js';
import { createLogger } from '../src/observability/logger.js';
import { createSessionManager } from '../src/session/create-session-manager.js';
import { rotationScript } from './seed.js';
import type { Session } from '../src/session/session.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { CLIENT, ORIGIN } from '../test/support/harness.js';
import { buildService, rssMb, serviceNodeArgs, startChild } from './lib.js';
import { serviceEnv, traefikHeaders } from './login.js';

const run = promisify(execFile);
const SESSIONS = Number(process.env.BENCH_MEMORY_SESSIONS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const LIMIT_MB = 150;
/** Sessions the 1M requests rotate over: fewer than SESSION_CACHE_SIZE, so most checks are cache hits and each entry is re-read every SESSION_CACHE_TTL. */
const ROTATE = Number(process.env.BENCH_MEMORY_ROTATE ?? 5_000);

function fakeToken(n: number, size: number): string {
  return `eyJ${Buffer.from(`token-${n}-`.repeat(Math.ceil(size / 10)))
    .toString('base64url')
    .slice(0, size)}`;
}

function session(n: number, now: number): Session {
  return {
    sub: `user-${n}`,
    claims: {
      sub: `user-${n}`,
      name: `User ${n}`,
      email: `user${n}@example.test`,
      preferred_username: `user${n}`,
      groups: ['demo-users'],
      sid: `sid-${n}`,
    },
    sid: `sid-${n}`,
    idToken: fakeToken(n, 900),
    accessToken: fakeToken(n, 1200),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 43_200,
  };
}

/** Checks every cookie once with 32 concurrent keep-alive connections; returns how many were allowed. */
async function checkAll(url: string, cookies: readonly string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let next = 0;
  let allowed = 0;
  const worker = async () => {
    while (next < cookies.length) {
      const cookie = cookies[next++];
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get(`${url}/oauth2/auth`, { agent, headers: traefikHeaders(cookie) }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
      if (status === 200) allowed++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  agent.destroy();
  return allowed;
}

/** V8 heap in use and allocated, from the service's own /metrics. */
async function heapMb(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return `heap used ${read('nodejs_heap_size_used_bytes').toFixed(1)} MB of ${read('nodejs_heap_size_total_bytes').toFixed(1)} MB`;
}

export async function runMemory(): Promise<void> {
  const main = await buildService();
  const redis = await startRedisServer();
  const idp = await startDevIdentityProvider({ clients: [{ ...CLIENT, redirectUris: [`${ORIGIN}/oauth2/callback`] }] });
  const env = serviceEnv(idp.issuer, 'redis', redis.url);
  const nodeArgs = serviceNodeArgs();
  console.log(`service node flags: ${nodeArgs.join(' ') || '(none)'}`);
  const svc = await startChild(main, env, '0', nodeArgs);
  const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  try {
    const rssStart = rssMb(svc.pid);
    const store = createSessionManager(loadConfig({ ...env, PORT: '0' }), createLogger('warn'));
    await new Promise((r) => setTimeout(r, 500)); // redis connects in the background
    const now = Math.floor(Date.now() / 1000);
    const cookies: string[] = [];
    for (let i = 0; i < SESSIONS; i += 500) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(500, SESSIONS - i) }, (_, k) => store.create(session(i + k, now), {})),
      );
      for (const [setCookie] of batch) cookies.push(setCookie.split(';')[0]);
    }
    await store.close();
    console.log(`created ${cookies.length} sessions in redis; service RSS at start ${rssStart.toFixed(1)} MB`);

    const allowed = await checkAll(svc.url, cookies);
    if (allowed !== cookies.length) throw new Error(`only ${allowed} of ${cookies.length} sessions were allowed`);
    const rssAfterSessions = rssMb(svc.pid);
    console.log(
      `checked each once (${allowed} allowed): RSS ${rssAfterSessions.toFixed(1)} MB, ${await heapMb(svc.url)}`,
    );

    if (process.env.BENCH_HEAP_SNAPSHOT) {
      // Needs BENCH_SERVICE_NODE_ARGS=--heapsnapshot-signal=SIGUSR2; written to the repository root.
      process.kill(svc.pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 8000));
    }
    const script = rotationScript(dir, cookies.slice(0, ROTATE));
    const headers = Object.entries(traefikHeaders()).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    let done = 0;
    const samples: number[] = [];
    while (done < REQUESTS) {
      const { stdout } = await run(
        'taskset',
        ['-c', '1', 'wrk', '-t1', '-c32', '-d10s', '-s', script, ...headers, `${svc.url}/oauth2/auth`],
        { maxBuffer: 1 << 24 },
      );
      const count = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
      const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
      if (count === 0 || bad > 0) throw new Error(`wrk: ${count} requests, ${bad} refused\n${stdout}`);
      done += count;
      samples.push(rssMb(svc.pid));
      process.stderr.write(`${done} requests, RSS ${samples.at(-1)!.toFixed(1)} MB\n`);
    }
    const rssEnd = rssMb(svc.pid);
    console.log(`end: ${await heapMb(svc.url)}`);
    const peak = Math.max(rssAfterSessions, ...samples);
    console.log(
      `after ${done} more requests rotating over ${Math.min(ROTATE, cookies.length)} sessions: RSS ${rssEnd.toFixed(1)} MB (peak ${peak.toFixed(1)} MB)`,
    );
    console.log(
      `bench-memory: sessions=${cookies.length} rss_after_sessions_mb=${rssAfterSessions.toFixed(1)} rss_after_requests_mb=${rssEnd.toFixed(1)} peak_mb=${peak.toFixed(1)} requests=${done} rotate=${Math.min(ROTATE, cookies.length)} under_${LIMIT_MB}mb=${peak < LIMIT_MB}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await svc.stop();
    await idp.close();
    await redis.stop();
  }
}
