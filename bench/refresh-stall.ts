/**
 * Contract item 3, second half: a refresh-due check must not stall the other requests.
 * A cookie-store service with TOKEN_REFRESH=on against a provider whose access tokens live
 * 4 s (so a session is due 2 s after each refresh) is loaded at a fixed rate with a session
 * that is never due, once alone and once while real sessions are refreshed on their checks
 * (each sent when it is due, so nearly every one of them refreshes at the provider).
 * The figure is the p99 of the steady requests with refreshes over without.
 *
 * A control round sends the same refreshing sessions to a second service on the load
 * generator's CPU instead, so the measured service does no refresh at all: what the
 * provider and the refreshing requests alone do to the load generator's p99 on two cores.
 */
import { startRefreshProvider } from '../test/support/refresh-provider.js';
import { latencyAtRate, median, type Child } from './lib.js';
import { forward, loginFor, serviceEnv, traefikHeaders } from './login.js';
import { plainSession, seedSessions } from './seed.js';
import { cookieHeader } from '../test/support/harness.js';

/** Sessions refreshed on their checks, one check each every REFRESH_EVERY_MS. */
const REFRESHING = 40;
const REFRESH_EVERY_MS = 2100;

/** What the refresh-stall rounds measured. */
export interface RefreshStall {
  /** Median p99 (ms) of the steady check without and with refreshes under way. */
  readonly quietP99: number;
  readonly busyP99: number;
  /** Each round's p99 (ms), without and with refreshes. */
  readonly quiet: readonly number[];
  readonly busy: readonly number[];
  /** The median of the rounds' busy over quiet p99 (paired: each busy round follows its quiet one). */
  readonly ratio: number;
  /** Each control round's p99 (ms): the refreshes sent to another service, none to the measured one. */
  readonly control: readonly number[];
  /** The median of the rounds' control over quiet p99: the load generator's share of `ratio`. */
  readonly controlRatio: number;
  /** Refreshes the provider answered per second during the busy rounds. */
  readonly refreshesPerSecond: number;
}

/** Runs the refresh-stall rounds on a service started by `start` (pinned like the others). */
export async function refreshStall(options: {
  readonly main: string;
  /** Starts a service, on the service's CPU unless `cpus` says otherwise. */
  readonly start: (script: string, env: Record<string, string>, cpus?: string) => Promise<Child>;
  readonly rate: number;
  readonly duration: number;
  readonly rounds: number;
  readonly loadCpu: string;
}): Promise<RefreshStall> {
  const rp = await startRefreshProvider({ accessTokenTtl: 4, rotateRefreshToken: true });
  try {
    const env = serviceEnv(rp.idp.issuer, 'cookie', undefined, { TOKEN_REFRESH: 'on', TOKEN_REFRESH_MARGIN: '6' });
    const svc = await options.start(options.main, env);
    const [steady = ''] = await seedSessions(env, 1, (n) => plainSession(n)); // no refresh token: never due
    const control = await options.start(options.main, env, options.loadCpu);
    const sessions = { measured: [] as string[], control: [] as string[] };
    for (let i = 0; i < REFRESHING; i++) sessions.measured.push(await loginFor(svc.url));
    for (let i = 0; i < REFRESHING; i++) sessions.control.push(await loginFor(control.url));
    const url = `${svc.url}/oauth2/auth`;
    const steadily = async (): Promise<number> => {
      const r = await latencyAtRate(url, traefikHeaders(steady), options.duration, options.rate, options.loadCpu);
      if (r.non2xx > 0) throw new Error(`refresh stall: ${r.non2xx} steady checks outside 2xx`);
      return r.p99;
    };
    const quiet: number[] = [];
    const busy: number[] = [];
    const controlled: number[] = [];
    let refreshed = 0;
    for (let round = 0; round < options.rounds; round++) {
      quiet.push(await steadily());
      const before = rp.refreshes();
      busy.push(await whileRefreshing(svc.url, sessions.measured, steadily));
      refreshed += rp.refreshes() - before;
      controlled.push(await whileRefreshing(control.url, sessions.control, steadily));
    }
    if (refreshed === 0) throw new Error('refresh stall: no session was refreshed');
    return {
      quietP99: median(quiet),
      busyP99: median(busy),
      quiet,
      busy,
      ratio: median(busy.map((p99, i) => p99 / (quiet[i] ?? NaN))),
      control: controlled,
      controlRatio: median(controlled.map((p99, i) => p99 / (quiet[i] ?? NaN))),
      refreshesPerSecond: refreshed / (options.rounds * options.duration),
    };
  } finally {
    await rp.idp.close();
  }
}

/**
 * Runs `work` while each of `cookies` (sessions at `base`) sends a check when it is due and
 * takes the refreshed cookie, as a browser would; its value once every session stopped.
 */
async function whileRefreshing<T>(base: string, cookies: string[], work: () => Promise<T>): Promise<T> {
  let running = true;
  const drivers = cookies.map(async (_, i) => {
    await new Promise((r) => setTimeout(r, (i * REFRESH_EVERY_MS) / REFRESHING));
    while (running) {
      const res = await forward(base, '/dashboard?tab=1', cookies[i]);
      if (res.status !== 200) throw new Error(`refresh stall: a refreshing session answered ${res.status}`);
      if (res.setCookies.length > 0) cookies[i] = cookieHeader(res.setCookies, cookies[i]);
      await new Promise((r) => setTimeout(r, REFRESH_EVERY_MS));
    }
  });
  try {
    return await work();
  } finally {
    running = false;
    await Promise.all(drivers);
  }
}
