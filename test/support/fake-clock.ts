import { jest } from '@jest/globals';

/**
 * Everything but `Date` keeps running in real time: the real servers the tests
 * start (HTTP, redis client, provider) rely on their timers and on nextTick.
 */
const REAL_TIME = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** A wall clock the test moves by hand. */
export interface FakeClock {
  /** Moves `Date.now()` forward by `seconds`; no timer fires. */
  advance(seconds: number): void;
  /** Puts the real clock back. */
  restore(): void;
}

/**
 * Freezes `Date` (Jest fake timers) at the current time, so a test can age a session
 * through forwardAuth: the service reads the time through `Date.now()` as well.
 */
export function fakeClock(): FakeClock {
  jest.useFakeTimers({ doNotFake: [...REAL_TIME], now: Date.now() });
  return {
    advance: (seconds) => jest.setSystemTime(Date.now() + seconds * 1000),
    restore: () => jest.useRealTimers(),
  };
}
