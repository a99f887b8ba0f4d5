/**
 * Contract item 3, second half: a refresh-due check must not stall the other requests.
 * A cookie-store service with TOKEN_REFRESH=on against a provider whose access tokens live
 * 4 s (so a session is due 2 s after each refresh) is loaded at a fixed rate with a session
 * that is never due, once alone and once while real sessions are refreshed on their checks
 * (each sent when it is due, so nearly every one of them refreshes at the provider).
 * The figure is the p99 of the steady requests with refreshes over without.
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
  /** Refreshes the provider answered per second during the busy rounds. */
  readonly refreshesPerSecond: number;
}

/** Runs the refresh-stall rounds on a service started by `start` (pinned like the others). */
export async function refreshStall(options: {
  readonly main: string;
  readonly start: (script: string, env: Record<string, string>) => Promise<Child>;
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
    const cookies: string[] = [];
    for (let i = 0; i < REFRESHING; i++) cookies.push(await loginFor(svc.url));
    const url = `${svc.url}/oauth2/auth`;
    const quiet: number[] = [];
    const busy: number[] = [];
    let refreshed = 0;
    for (let round = 0; round < options.rounds; round++) {
      const alone = await latencyAtRate(url, traefikHeaders(steady), options.duration, options.rate, options.loadCpu);
      if (alone.non2xx > 0) throw new Error(`refresh stall: ${alone.non2xx} steady checks outside 2xx`);
      quiet.push(alone.p99);
      let running = true;
      const before = rp.refreshes();
      // Each session's check goes out when it is due, and takes the refreshed cookie, as a browser would.
      const drivers = cookies.map(async (_, i) => {
        await new Promise((r) => setTimeout(r, (i * REFRESH_EVERY_MS) / REFRESHING));
        while (running) {
          const res = await forward(svc.url, '/dashboard?tab=1', cookies[i]);
          if (res.status !== 200) throw new Error(`refresh stall: a refreshing session answered ${res.status}`);
          if (res.setCookies.length > 0) cookies[i] = cookieHeader(res.setCookies, cookies[i]);
          await new Promise((r) => setTimeout(r, REFRESH_EVERY_MS));
        }
      });
      const during = await latencyAtRate(url, traefikHeaders(steady), options.duration, options.rate, options.loadCpu);
      running = false;
      await Promise.all(drivers);
      if (during.non2xx > 0) throw new Error(`refresh stall: ${during.non2xx} steady checks outside 2xx`);
      busy.push(during.p99);
      refreshed += rp.refreshes() - before;
    }
    if (refreshed === 0) throw new Error('refresh stall: no session was refreshed');
    return {
      quietP99: median(quiet),
      busyP99: median(busy),
      quiet,
      busy,
      ratio: median(busy.map((p99, i) => p99 / (quiet[i] ?? NaN))),
      refreshesPerSecond: refreshed / (options.rounds * options.duration),
    };
  } finally {
    await rp.idp.close();
  }
}
