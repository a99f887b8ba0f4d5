/** The benchmark's table and its last, machine-readable line (`bench: …`, the contract's keys first). */
import { median, type Child, type WrkResult } from './lib.js';
import type { RefreshStall } from './refresh-stall.js';

/** One thing loaded with wrk, and what each round measured. */
export interface Target {
  readonly name: string;
  readonly child: Child;
  readonly headers: Record<string, string>;
  readonly results: WrkResult[];
  /** Extra wrk arguments (`-s rotate.lua`). */
  readonly extra: string[];
  /** Take the answer's Set-Cookie before each round, as a browser would (a single session cookie). */
  readonly browser: boolean;
  /** Cores the service (with its workers) and wrk used in each round, where measured. */
  readonly cores: { service: number; wrk: number }[];
}

/** Everything a run measured. */
export interface Report {
  /** Pinned rows; the first is the bare node:http server every ratio divides by. */
  readonly targets: readonly Target[];
  /** The one pinned cookie worker and WORKERS=2, both loaded by an unpinned wrk. */
  readonly unpinned: readonly Target[];
  readonly rounds: number;
  readonly duration: number;
  /** The fixed offered rate (half the bare server's capacity) and each round's p99 (ms) there. */
  readonly rate: number;
  readonly fixed: { readonly bare: number[]; readonly cookie: number[]; readonly rps: number[] };
  /** RSS (MB) of the redis store's service after the rounds, 100,000-session rotation included. */
  readonly redisRss: number;
  readonly sessions: number;
  /** The steady check's p99 at the fixed rate without and with refresh-due checks under way. */
  readonly refresh: RefreshStall;
  readonly seconds: number;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Prints the table and the `bench:` line. */
export function printReport(r: Report): void {
  // A row's ratio is the median of its rounds' ratios, each to the reference of the same round
  // (the bare server for pinned rows, the one pinned worker for WORKERS=2): the rows of a round
  // run back to back, so a drift of the VM's speed between rounds cancels out.
  const paired = (t: Target, reference: Target | undefined) =>
    median(t.results.map((x, i) => x.rps / (reference?.results[i]?.rps ?? NaN)));
  const rows = [...r.targets, ...r.unpinned].map((t) => ({
    name: t.name,
    rps: median(t.results.map((x) => x.rps)),
    rounds: t.results.map((x) => fmt(x.rps, 0)).join('/'),
    x: r.targets.includes(t) ? paired(t, r.targets[0]) : paired(t, r.unpinned[0]),
    p50: median(t.results.map((x) => x.p50)),
    p99: median(t.results.map((x) => x.p99)),
  }));
  const base = rows[0]?.rps ?? NaN;
  const ratio = (prefix: string) => rows.find((x) => x.name.startsWith(prefix))?.x ?? NaN;
  console.log(
    `\n${r.rounds} rounds x ${r.duration}s, wrk -t1 -c32 on CPU 1, servers on CPU 0 (last two rows unpinned), ${fmt(r.seconds, 0)} s in all`,
  );
  console.log(
    `${'target'.padEnd(30)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'ratio'.padStart(7)}  rounds (req/s)`,
  );
  for (const x of rows)
    console.log(
      `${x.name.padEnd(30)} ${fmt(x.rps, 0).padStart(9)} ${fmt(x.p50).padStart(8)} ${fmt(x.p99).padStart(8)} ${fmt(x.x).padStart(7)}  ${x.rounds}`,
    );
  console.log(
    "(ratio: the median of the rounds' ratios to the bare server, for the last two rows to the pinned worker)",
  );
  const p99Bare = median(r.fixed.bare);
  const p99Cookie = median(r.fixed.cookie);
  console.log(
    `\nfixed rate ${r.rate} req/s (half the bare capacity; autocannon -c32 on CPU 1): bare p99 ${fmt(p99Bare)} ms,` +
      ` cookie check p99 ${fmt(p99Cookie)} ms (rounds: ${r.fixed.bare.join('/')} vs ${r.fixed.cookie.join('/')}; achieved ${fmt(median(r.fixed.rps), 0)} req/s)`,
  );
  const refreshRatio = r.refresh.ratio;
  console.log(
    `refresh-due checks (${fmt(r.refresh.refreshesPerSecond, 1)} refreshes/s at the provider) beside a steady check at ${r.rate} req/s:` +
      ` its p99 ${fmt(r.refresh.quietP99)} ms alone, ${fmt(r.refresh.busyP99)} ms with them (${fmt(refreshRatio)}x;` +
      ` rounds: ${r.refresh.quiet.join('/')} vs ${r.refresh.busy.join('/')});` +
      ` control, the refreshes at a second service on CPU 1: ${fmt(r.refresh.controlRatio)}x (${r.refresh.control.join('/')})`,
  );
  console.log(`redis store service RSS after ${r.sessions} sessions in rotation: ${fmt(r.redisRss, 1)} MB`);
  const rotating = r.targets.find((t) => t.name.startsWith(`redis ${r.sessions}`));
  if (rotating !== undefined) {
    const used = median(rotating.cores.map((c) => c.service));
    console.log(`${rotating.name}: the service used ${fmt(used)} cores (redis-server and wrk share the rest)`);
  }
  for (const t of r.unpinned) {
    const service = median(t.cores.map((c) => c.service));
    const load = median(t.cores.map((c) => c.wrk));
    console.log(`${t.name}: the service used ${fmt(service)} cores, wrk ${fmt(load)} cores (of 2)`);
  }
  const byName = (prefix: string) => r.targets.find((t) => t.name.startsWith(prefix));
  const entra = byName('entra');
  const entraSame = entra === undefined ? NaN : paired(entra, byName('bare, entra-sized request'));
  const workers2 = ratio('cookie, WORKERS=2');
  const p99Ratio = median(r.fixed.cookie.map((p99, i) => p99 / (r.fixed.bare[i] ?? NaN)));
  console.log(
    `bench: cookie=${fmt(ratio('cookie store'))} redis=${fmt(ratio('redis store'))} bearer=${fmt(ratio('cached bearer'))}` +
      ` entra=${fmt(ratio('entra'))} redis_100k=${fmt(ratio(`redis ${r.sessions}`))} p99_ratio=${fmt(p99Ratio)}` +
      ` workers2=${fmt(workers2)} redis_100k_rss_mb=${fmt(r.redisRss, 1)} entra_same_request=${fmt(entraSame)}` +
      ` redis_get_floor=${fmt(ratio('bare + one redis GET'))} redis_open_floor=${fmt(ratio('GET + signature'))}` +
      ` entra_answer_floor=${fmt(ratio('bare, entra request + answer'))} refresh_p99_ratio=${fmt(refreshRatio)} refresh_control_p99_ratio=${fmt(r.refresh.controlRatio)} refreshes_per_s=${fmt(r.refresh.refreshesPerSecond, 1)}` +
      ` express=${fmt(ratio('bare express'))}` +
      ` login_302=${fmt(ratio('no session'))} p99_bare_ms=${fmt(p99Bare)} p99_cookie_ms=${fmt(p99Cookie)} rate=${r.rate}` +
      ` sessions=${r.sessions} bare_rps=${fmt(base, 0)}`,
  );
}
