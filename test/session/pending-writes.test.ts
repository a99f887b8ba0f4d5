import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';
import { PendingWrites } from '../../src/session/pending-writes.js';

function queue(maxSize = 10) {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { pending: new PendingWrites({ maxSize, intervalMs: 20, logger: createLogger('info', sink) }), lines };
}

describe('writes waiting for Redis', () => {
  it('retries in order until they succeed, stopping at the first failure each round', async () => {
    const { pending } = queue();
    const done: string[] = [];
    let up = false;
    const write = (name: string) => async () => {
      if (!up) throw new Error('redis down');
      done.push(name);
    };
    pending.add('a', Date.now() + 60_000, write('a'));
    pending.add('b', Date.now() + 60_000, write('b'));
    await pending.flush();
    expect(pending.size).toBe(2);
    up = true;
    await new Promise((r) => setTimeout(r, 100)); // the timer retries on its own
    expect(done).toEqual(['a', 'b']);
    expect(pending.size).toBe(0);
  });

  it('drops a write once it no longer matters, and the oldest past its bound (logged)', async () => {
    const { pending, lines } = queue(2);
    const never = () => Promise.reject(new Error('redis down'));
    pending.add('old', Date.now() - 1, never);
    await pending.flush();
    expect(pending.size).toBe(0);
    pending.add('a', Date.now() + 60_000, never);
    pending.add('b', Date.now() + 60_000, never);
    pending.add('c', Date.now() + 60_000, never);
    expect(pending.size).toBe(2);
    expect(lines.map((l) => l.msg).join()).toMatch(/too many writes waiting for Redis/);
    pending.close();
    expect(pending.size).toBe(0);
  });
});
