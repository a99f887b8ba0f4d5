import http from 'node:http';

/** One forwardAuth check of a load run: when it started (ms since the run began), its status and latency. */
export interface CheckRecord {
  readonly at: number;
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | undefined;
  /** Why the check got no answer (status 0). */
  readonly error?: string;
}

/** A bounded load of forwardAuth checks: `rate` checks per second for `durationMs`, cookies taken round robin. */
export interface LoadOptions {
  readonly baseUrl: string;
  readonly domain: string;
  readonly cookies: readonly string[];
  readonly rate: number;
  readonly durationMs: number;
  /** Called at these offsets (ms) into the run: the fault script. */
  readonly script?: readonly { readonly at: number; readonly run: () => void | Promise<void> }[];
}

/** A fault script for `runLoad`: `start` at `at` ms into the run, then `end` (awaited) `durationMs` later. */
export function faultScript(
  at: number,
  durationMs: number,
  start: () => void | Promise<void>,
  end: () => void | Promise<void>,
): NonNullable<LoadOptions['script']> {
  return [
    { at, run: start },
    { at: at + durationMs, run: end },
  ];
}

/** Checks in flight at most: a slow machine lowers the rate instead of queueing checks in the client. */
const MAX_IN_FLIGHT = 32;

function check(agent: http.Agent, baseUrl: string, domain: string, cookie: string): Promise<Omit<CheckRecord, 'at'>> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(
      `${baseUrl}/oauth2/auth`,
      {
        agent,
        headers: {
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': domain,
          'X-Forwarded-Uri': '/',
          'X-Forwarded-Method': 'GET',
          Accept: 'application/json',
          Cookie: cookie,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, retryAfter });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', (err) =>
      resolve({ status: 0, ms: performance.now() - started, retryAfter: undefined, error: err.message }),
    );
  });
}

/** Runs the load and the script; resolves with every check once all have answered. */
export async function runLoad(options: LoadOptions): Promise<CheckRecord[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const records: Promise<CheckRecord>[] = [];
  const begin = performance.now();
  const scripted = (options.script ?? []).map(
    (step) =>
      new Promise<void>((resolve) => {
        setTimeout(() => void Promise.resolve(step.run()).then(resolve), step.at);
      }),
  );
  const interval = 1000 / options.rate;
  let n = 0;
  let inFlight = 0;
  while (performance.now() - begin < options.durationMs) {
    const due = begin + n * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    n += 1;
    // A check is only sent on a free socket: latency is the service's, not this generator's queue.
    if (inFlight >= MAX_IN_FLIGHT) continue;
    const at = performance.now() - begin;
    const cookie = options.cookies[n % options.cookies.length];
    inFlight += 1;
    records.push(
      check(agent, options.baseUrl, options.domain, cookie).then((r) => {
        inFlight -= 1;
        return { ...r, at };
      }),
    );
  }
  const done = await Promise.all(records);
  await Promise.all(scripted);
  agent.destroy();
  return done;
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Latency and failure figures of the checks started in [from, to) ms. */
export function figures(records: readonly CheckRecord[], from: number, to: number) {
  const window = records.filter((r) => r.at >= from && r.at < to);
  const ms = window.map((r) => r.ms);
  return {
    checks: window.length,
    failed: window.filter((r) => r.status !== 200).length,
    p99: Math.round(percentile(ms, 99)),
    max: Math.round(Math.max(0, ...ms)),
  };
}

/** Milliseconds after `from` of the start of the last non-200 check (0 when every check passed). */
export function recoveryMs(records: readonly CheckRecord[], from: number): number {
  const late = records.filter((r) => r.at >= from && r.status !== 200);
  return late.length === 0 ? 0 : Math.round(Math.max(...late.map((r) => r.at)) - from);
}
