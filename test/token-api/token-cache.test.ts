import { describe, expect, it } from '@jest/globals';
import {
  cacheTtlSeconds,
  clientCredentialsKey,
  exchangeKey,
  TokenCache,
  type ProviderToken,
} from '../../src/token-api/token-cache.js';

/** A clock the test moves by hand, in milliseconds. */
function manualClock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

function counted(expiresIn = 3600) {
  let calls = 0;
  const fetch = async (): Promise<ProviderToken> => ({ accessToken: `token-${++calls}`, expiresIn });
  return { fetch, calls: () => calls };
}

describe('cacheTtlSeconds', () => {
  it('keeps a token until 120 s before it expires', () => {
    expect(cacheTtlSeconds(3600)).toBe(3480);
    expect(cacheTtlSeconds(121)).toBe(1);
  });

  it('keeps a token for half its life when that leaves 120 s or less', () => {
    expect(cacheTtlSeconds(120)).toBe(60);
    expect(cacheTtlSeconds(100)).toBe(50);
    expect(cacheTtlSeconds(0)).toBe(0);
  });
});

describe('TokenCache', () => {
  it('serves a kept token with the time it has left', async () => {
    const clock = manualClock();
    const cache = new TokenCache({ now: clock.now });
    const provider = counted(3600);
    expect(await cache.get('k', provider.fetch)).toEqual({ accessToken: 'token-1', expiresIn: 3600, cached: false });
    clock.advance(600.4);
    expect(await cache.get('k', provider.fetch)).toEqual({ accessToken: 'token-1', expiresIn: 2999, cached: true });
    expect(provider.calls()).toBe(1);
  });

  it('refetches 120 s before expiry, and after half the life of a short token', async () => {
    const clock = manualClock();
    const cache = new TokenCache({ now: clock.now });
    const long = counted(3600);
    clock.advance(0);
    await cache.get('long', long.fetch);
    clock.advance(3479);
    await cache.get('long', long.fetch);
    expect(long.calls()).toBe(1);
    clock.advance(2);
    await cache.get('long', long.fetch);
    expect(long.calls()).toBe(2);

    const short = counted(100);
    await cache.get('short', short.fetch);
    clock.advance(40);
    await cache.get('short', short.fetch);
    expect(short.calls()).toBe(1);
    clock.advance(11);
    await cache.get('short', short.fetch);
    expect(short.calls()).toBe(2);
  });

  it('never keeps a token that is already expired', async () => {
    const cache = new TokenCache({ now: manualClock().now });
    const provider = counted(0);
    await cache.get('k', provider.fetch);
    await cache.get('k', provider.fetch);
    expect(provider.calls()).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('drops the kept token and fetches a new one on skipCache', async () => {
    const cache = new TokenCache();
    const provider = counted();
    await cache.get('k', provider.fetch);
    expect((await cache.get('k', provider.fetch, true)).accessToken).toBe('token-2');
    expect((await cache.get('k', provider.fetch)).accessToken).toBe('token-2');
  });

  it('makes one provider call for identical requests in flight, and shares its failure without keeping it', async () => {
    const cache = new TokenCache();
    let release: (value: ProviderToken) => void = () => undefined;
    let calls = 0;
    const slow = () => {
      calls++;
      return new Promise<ProviderToken>((resolve) => {
        release = resolve;
      });
    };
    const waiting = Array.from({ length: 20 }, () => cache.get('k', slow));
    release({ accessToken: 'shared', expiresIn: 3600 });
    const answers = await Promise.all(waiting);
    expect(calls).toBe(1);
    expect(new Set(answers.map((a) => a.accessToken))).toEqual(new Set(['shared']));

    let failures = 0;
    const failing = async (): Promise<ProviderToken> => {
      failures++;
      throw new Error('provider down');
    };
    const results = await Promise.allSettled([cache.get('bad', failing), cache.get('bad', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failures).toBe(1);
    await expect(cache.get('bad', failing)).rejects.toThrow('provider down');
    expect(failures).toBe(2);
  });

  it('is bounded in entries and in bytes', async () => {
    const byCount = new TokenCache({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) await byCount.get(`k${i}`, async () => ({ accessToken: 'x', expiresIn: 3600 }));
    expect(byCount.size).toBe(3);

    const byBytes = new TokenCache({ maxBytes: 10_000 });
    for (let i = 0; i < 20; i++)
      await byBytes.get(`k${i}`, async () => ({ accessToken: 'x'.repeat(2000), expiresIn: 3600 }));
    expect(byBytes.bytes).toBeLessThanOrEqual(10_000);
    expect(byBytes.size).toBeLessThanOrEqual(4);
    expect(byBytes.size).toBeGreaterThan(0);
  });
});

describe('cache keys', () => {
  it('keep the user token only as a hash', () => {
    const userToken = 'eyJhbGciOi.user-token-payload.signature';
    const key = exchangeKey('api://x/.default', userToken);
    expect(key).not.toContain(userToken);
    expect(key).not.toContain('user-token-payload');
    expect(key).toBe(exchangeKey('api://x/.default', userToken));
    expect(key).not.toBe(exchangeKey('api://x/.default', `${userToken}2`));
  });

  it('tell targets, resources and authorization details apart, and never collide across grants', () => {
    const keys = [
      clientCredentialsKey('a', undefined, undefined),
      clientCredentialsKey('a', 'r', undefined),
      clientCredentialsKey('a', undefined, '[]'),
      clientCredentialsKey('b', undefined, undefined),
      exchangeKey('a', ''),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
