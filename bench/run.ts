/**
 * `npm run bench [-- memory|profile]`: the forwardAuth check under load.
 * Servers run pinned to CPU 0 as separate processes; wrk (-t1 -c32) runs on CPU 1.
 * Rounds of every target are interleaved; medians are reported. The last line is
 * machine-readable. BENCH_DURATION (seconds per round, default 5) and
 * BENCH_ROUNDS (default 3) shorten or lengthen a run.
 */
import { startDevIdentityProvider } from '../dev/identity-provider.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { CLIENT, ORIGIN } from '../test/support/harness.js';
import { API_CLIENT_ID, APP_A, SECRET, startEntraTenants, T1 } from '../test/support/entra-tenants.js';
import { TEST_POLICY } from '../test/support/bearer-service.js';
import {
  buildService,
  latencyAtRate,
  median,
  serviceNodeArgs,
  startChild,
  wrk,
  type Child,
  type WrkResult,
} from './lib.js';
import { assertAllowed, loginFor, serviceEnv, traefikHeaders } from './login.js';

const SERVER_CPU = '0';
const LOAD_CPU = '1';
const duration = Math.max(1, Number(process.env.BENCH_DURATION ?? 5));
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const mode = process.argv[2] ?? 'throughput';
/** Offered rate (req/s) for the latency measurement below saturation. */
const rate = Math.max(100, Number(process.env.BENCH_RATE ?? 4000));

interface Target {
  readonly name: string;
  readonly child: Child;
  readonly headers: Record<string, string>;
  readonly results: WrkResult[];
  readonly pinned: boolean;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main(): Promise<void> {
  if (mode === 'memory') {
    const { runMemory } = await import('./memory.js');
    return runMemory();
  }
  const main = await buildService();
  const children: Child[] = [];
  const redis = await startRedisServer();
  const idp = await startDevIdentityProvider({
    clients: [
      {
        ...CLIENT,
        redirectUris: [`${ORIGIN}/oauth2/callback`],
        postLogoutRedirectUris: [`${ORIGIN}/oauth2/signed-out`],
      },
    ],
  });
  const tenants = await startEntraTenants();
  const start = async (script: string, env: Record<string, string>, cpus?: string, nodeArgs: string[] = []) => {
    const child = await startChild(script, env, cpus, nodeArgs);
    children.push(child);
    return child;
  };
  try {
    const profile = [
      ...serviceNodeArgs(),
      ...(mode === 'profile' ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : []),
    ];
    const cookieSvc = await start(main, serviceEnv(idp.issuer, 'cookie'), SERVER_CPU, profile);
    const redisSvc = await start(main, serviceEnv(idp.issuer, 'redis', redis.url), SERVER_CPU, profile);
    const cookieLogin = await loginFor(cookieSvc.url);
    const redisLogin = await loginFor(redisSvc.url);
    await assertAllowed(cookieSvc.url, cookieLogin);
    await assertAllowed(redisSvc.url, redisLogin);
    console.log(
      `logged in: cookie store ${cookieLogin.length} bytes of Cookie header, redis store ${redisLogin.length} bytes`,
    );

    if (mode === 'profile') {
      for (const [name, svc, cookie] of [
        ['cookie', cookieSvc, cookieLogin],
        ['redis', redisSvc, redisLogin],
      ] as const) {
        const r = await wrk(`${svc.url}/oauth2/auth`, traefikHeaders(cookie), duration, LOAD_CPU);
        console.log(`${name}: ${fmt(r.rps, 0)} req/s p99 ${fmt(r.p99)} ms`);
      }
      return; // the profiles are written when the children stop (bench/profiles/)
    }

    // A cached valid bearer token (BEARER_AUTH=on), against an emulated Entra tenant.
    const bearerSvc = await start(
      main,
      serviceEnv(tenants.issuer(T1), 'cookie', undefined, {
        OIDC_CLIENT_ID: API_CLIENT_ID,
        OIDC_CLIENT_SECRET: SECRET,
        BEARER_AUTH: 'on',
        ACCESS_POLICY: JSON.stringify(TEST_POLICY),
      }),
      SERVER_CPU,
      profile,
    );
    const bearerHeaders = { ...traefikHeaders(), Authorization: `Bearer ${await tenants.appToken(T1, APP_A)}` };
    const bearerCheck = await fetch(`${bearerSvc.url}/oauth2/auth`, { headers: bearerHeaders });
    if (bearerCheck.status !== 200) throw new Error(`bearer check answered ${bearerCheck.status}`);

    const bare = await start('bench/serve-bare.ts', {}, SERVER_CPU);
    const expressRef = await start('bench/serve-express.ts', {}, SERVER_CPU);
    const targets: Target[] = [
      { name: 'bare node:http', child: bare, headers: traefikHeaders(cookieLogin), results: [], pinned: true },
      { name: 'bare express', child: expressRef, headers: traefikHeaders(cookieLogin), results: [], pinned: true },
      { name: 'cookie store 200', child: cookieSvc, headers: traefikHeaders(cookieLogin), results: [], pinned: true },
      { name: 'redis store 200', child: redisSvc, headers: traefikHeaders(redisLogin), results: [], pinned: true },
      { name: 'no session 302', child: cookieSvc, headers: traefikHeaders(), results: [], pinned: true },
      { name: 'cached bearer 200', child: bearerSvc, headers: bearerHeaders, results: [], pinned: true },
    ];
    for (const t of targets) await wrk(`${t.child.url}/oauth2/auth`, t.headers, Math.min(2, duration), LOAD_CPU); // warm up (JIT, caches)

    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        const r = await wrk(`${t.child.url}/oauth2/auth`, t.headers, duration, LOAD_CPU);
        if (r.bad > 0) throw new Error(`${t.name}: ${r.bad} responses outside 2xx/3xx`);
        t.results.push(r);
      }
      process.stderr.write(`round ${round + 1}/${rounds} done\n`);
    }

    // Latency below saturation: at saturation wrk's 32 connections queue, so p99 >= 32 / (req/s).
    const fixedRate = new Map<string, { p50: number; p99: number }>();
    for (const t of [targets[0], targets[2], targets[3]]) {
      const r = await latencyAtRate(`${t.child.url}/oauth2/auth`, t.headers, duration, rate, LOAD_CPU);
      if (r.non2xx > 0) throw new Error(`${t.name}: ${r.non2xx} responses outside 2xx at ${rate} req/s`);
      fixedRate.set(t.name, r);
    }

    // Two workers, unpinned, against one unpinned worker: both share the two cores with wrk.
    const workers2 = await start(
      main,
      serviceEnv(idp.issuer, 'cookie', undefined, { WORKERS: '2' }),
      undefined,
      serviceNodeArgs(),
    );
    const w2Login = await loginFor(workers2.url);
    await assertAllowed(workers2.url, w2Login);
    const unpinned: Target[] = [
      {
        name: 'cookie, 1 worker (pinned)',
        child: cookieSvc,
        headers: traefikHeaders(cookieLogin),
        results: [],
        pinned: false,
      },
      {
        name: 'cookie, WORKERS=2, unpinned',
        child: workers2,
        headers: traefikHeaders(w2Login),
        results: [],
        pinned: false,
      },
    ];
    // The single-worker child stays pinned to one core: that is the one-core figure WORKERS=2 is compared with.
    for (const t of unpinned) await wrk(`${t.child.url}/oauth2/auth`, t.headers, Math.min(2, duration));
    for (let round = 0; round < rounds; round++) {
      for (const t of unpinned) t.results.push(await wrk(`${t.child.url}/oauth2/auth`, t.headers, duration));
    }

    const base = median(targets[0].results.map((r) => r.rps));
    const rows = [...targets, ...unpinned].map((t) => {
      const rps = median(t.results.map((r) => r.rps));
      return {
        name: t.name,
        rps,
        p50: median(t.results.map((r) => r.p50)),
        p99: median(t.results.map((r) => r.p99)),
        ratio: rps / base,
      };
    });
    console.log(`\nservice node flags: ${serviceNodeArgs().join(' ') || '(none)'}`);
    console.log(
      `${rounds} rounds x ${duration}s, wrk -t1 -c32 on CPU ${LOAD_CPU}, servers on CPU ${SERVER_CPU} (last two rows unpinned)`,
    );
    console.log(
      `${'target'.padEnd(30)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'x bare'.padStart(7)}`,
    );
    for (const r of rows)
      console.log(
        `${r.name.padEnd(30)} ${fmt(r.rps, 0).padStart(9)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${fmt(r.ratio).padStart(7)}`,
      );
    console.log(`\nlatency at a fixed ${rate} req/s (autocannon -c32 -R${rate} on CPU ${LOAD_CPU}):`);
    for (const [name, r] of fixedRate) console.log(`${name.padEnd(30)} p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms`);
    const byName = (n: string) => rows.find((r) => r.name === n)!;
    const cookie = byName('cookie store 200');
    const redisRow = byName('redis store 200');
    const w2 = byName('cookie, WORKERS=2, unpinned');
    console.log(
      `bench: cookie=${fmt(cookie.ratio)} redis=${fmt(redisRow.ratio)} express=${fmt(byName('bare express').ratio)} login_302=${fmt(byName('no session 302').ratio)} bearer=${fmt(byName('cached bearer 200').ratio)}` +
        ` p99_ms=${fmt(Math.max(fixedRate.get('cookie store 200')!.p99, fixedRate.get('redis store 200')!.p99))} p99_sat_ms=${fmt(Math.max(cookie.p99, redisRow.p99))}` +
        ` workers2=${fmt(w2.rps / cookie.rps)} bare_rps=${fmt(base, 0)}`,
    );
  } finally {
    for (const c of children.reverse()) await c.stop();
    await idp.close();
    await tenants.close();
    await redis.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).stack ?? (err as Error).message}`);
  process.exit(1);
});
