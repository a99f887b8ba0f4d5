import { describe, expect, it } from '@jest/globals';
import type { BackendUnreachableError } from '../../src/session/circuit-breaker.js';
import { CircuitBreaker, isUnreachable } from '../../src/session/circuit-breaker.js';

const fail = () => Promise.reject(new Error('ECONNREFUSED'));
const hang = () => new Promise<never>(() => undefined);
const ok = () => Promise.resolve('ok');

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'passed';
  } catch (err) {
    expect(isUnreachable(err)).toBe(true);
    return (err as BackendUnreachableError).reason;
  }
}

describe('circuit breaker', () => {
  it('times a hung call out after its timeout and counts it as a failure', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 50, failureThreshold: 1 });
    const started = performance.now();
    expect(await reason(breaker.run(hang))).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(500);
    expect(breaker.state).toBe('open');
  });

  it('opens after the threshold of consecutive failures and then fails at once without calling', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 50, failureThreshold: 3, openMs: 10_000 });
    for (let i = 0; i < 2; i++) expect(await reason(breaker.run(fail))).toBe('error');
    expect(breaker.state).toBe('closed');
    expect(await reason(breaker.run(fail))).toBe('error');
    expect(breaker.state).toBe('open');
    let called = false;
    expect(
      await reason(
        breaker.run(() => {
          called = true;
          return ok();
        }),
      ),
    ).toBe('circuit-open');
    expect(called).toBe(false);
    expect(breaker.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('resets the count on a success: only consecutive failures open it', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 50, failureThreshold: 2 });
    await reason(breaker.run(fail));
    await breaker.run(ok);
    await reason(breaker.run(fail));
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after openMs (half-open) and closes on its success', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 200, failureThreshold: 1, openMs: 30 });
    await reason(breaker.run(fail));
    await new Promise((r) => setTimeout(r, 40));
    let release: (v: string) => void = () => undefined;
    const probe = breaker.run(() => new Promise<string>((r) => (release = r)));
    expect(breaker.state).toBe('half-open');
    expect(await reason(breaker.run(ok))).toBe('circuit-open');
    release('ok');
    expect(await probe).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(await breaker.run(ok)).toBe('ok');
  });

  it('opens again at once when the probe fails', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 50, failureThreshold: 1, openMs: 30 });
    await reason(breaker.run(fail));
    await new Promise((r) => setTimeout(r, 40));
    expect(await reason(breaker.run(fail))).toBe('error');
    expect(breaker.state).toBe('open');
    expect(await reason(breaker.run(ok))).toBe('circuit-open');
  });

  it('fails the calls still waiting when it opens, instead of letting each wait out its own timeout', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 200, failureThreshold: 3, openMs: 10_000 });
    const first = [1, 2, 3].map(() => reason(breaker.run(hang)));
    await new Promise((r) => setTimeout(r, 50));
    // Started 50 ms later: without the cut they would time out 50 ms after the circuit opened.
    const later = Array.from({ length: 10 }, () => reason(breaker.run(hang)));
    expect(await Promise.all(first)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(breaker.state).toBe('open');
    expect(await Promise.all(later)).toEqual(Array(10).fill('circuit-open'));
  });

  it('times each call out at its own deadline, not all of them at the first', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 60, failureThreshold: 10 });
    const first = reason(breaker.run(hang));
    await new Promise((r) => setTimeout(r, 40));
    let secondDone = false;
    const second = reason(breaker.run(hang)).finally(() => (secondDone = true));
    expect(await first).toBe('timeout');
    expect(secondDone).toBe(false);
    expect(await second).toBe('timeout');
    expect(breaker.state).toBe('closed');
  });

  it('answers calls that finish in any order and leaves no timer behind once all have', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const breaker = new CircuitBreaker({ timeoutMs: 1000 });
    const delays = [30, 5, 20, 0, 10];
    const calls = delays.map((ms, i) =>
      breaker.run(() => new Promise<number>((resolve) => setTimeout(() => resolve(i), ms))),
    );
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(timers()).toBe(before);
  });

  it('turns a call that throws before returning a promise into a failure', async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 50, failureThreshold: 1 });
    expect(
      await reason(
        breaker.run(() => {
          throw new Error('sync');
        }),
      ),
    ).toBe('error');
    expect(breaker.state).toBe('open');
  });
});
