import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_RETURN_TO, safeReturnTo } from '../../src/gate/return-to.js';

const payloads: string[] = JSON.parse(
  readFileSync(new URL('../fixtures/open-redirect-payloads.json', import.meta.url), 'utf8'),
);
const ORIGIN = 'https://app.test';

/** What the service does with a return-to: prefix the configured origin. */
function landsOn(path: string): URL {
  return new URL(ORIGIN + path);
}

describe('safeReturnTo', () => {
  it('has a corpus of at least 100 open-redirect payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(100);
  });

  it.each(payloads.map((p) => [JSON.stringify(p), p]))('keeps %s on the app domain', (_label, payload) => {
    const path = safeReturnTo(payload, '/');
    expect(path.startsWith('/')).toBe(true);
    expect(path.startsWith('//')).toBe(false);
    expect(path.startsWith('/\\')).toBe(false);
    // eslint-disable-next-line no-control-regex -- a NUL must not survive
    expect(path).not.toMatch(/[\r\n\t\u0000]/);
    const url = landsOn(path);
    expect(url.host).toBe('app.test');
    expect(url.protocol).toBe('https:');
  });

  it('keeps path and query of an ordinary return-to intact', () => {
    expect(safeReturnTo('/reports/2026?year=2026&q=a%20b', '/')).toBe('/reports/2026?year=2026&q=a%20b');
  });

  it('strips scheme and host from an absolute URL on the same domain', () => {
    expect(safeReturnTo('https://app.test/inbox?x=1', '/')).toBe('/inbox?x=1');
  });

  it('drops the fragment', () => {
    expect(safeReturnTo('/page#section', '/')).toBe('/page');
  });

  it('falls back for javascript: and other non-http schemes', () => {
    expect(safeReturnTo('javascript:alert(1)', '/home')).toBe('/home');
    expect(safeReturnTo('data:text/html,x', '/home')).toBe('/home');
  });

  it('falls back for the service’s own paths, so a login never returns to logout', () => {
    expect(safeReturnTo('/oauth2/logout', '/', ['/oauth2/logout'])).toBe('/');
  });

  it('falls back for a missing, empty or oversized value', () => {
    expect(safeReturnTo(undefined, '/x')).toBe('/x');
    expect(safeReturnTo('   ', '/x')).toBe('/x');
    expect(safeReturnTo(`/${'a'.repeat(MAX_RETURN_TO)}`, '/x')).toBe('/x');
  });

  it('never leaves the domain for any string (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: 'binary' })), (input) => {
        const path = safeReturnTo(input, '/');
        return path.startsWith('/') && !path.startsWith('//') && landsOn(path).host === 'app.test';
      }),
      { numRuns: 2000 },
    );
  });
});
