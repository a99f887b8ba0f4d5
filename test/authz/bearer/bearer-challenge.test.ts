import { describe, expect, it } from '@jest/globals';
import { bearerAnswer, bearerChallenge, type BearerErrorCode } from '../../../src/authz/bearer/bearer-challenge.js';

describe('bearerChallenge', () => {
  it('without credentials: only the realm', () => {
    expect(bearerChallenge({ realm: 'app.example.com' })).toBe('Bearer realm="app.example.com"');
  });

  it('with an error, its description and scope, in that order', () => {
    expect(bearerChallenge({ realm: 'app.test', error: 'invalid_token', description: 'expired' })).toBe(
      'Bearer realm="app.test", error="invalid_token", error_description="expired"',
    );
    expect(
      bearerChallenge({
        realm: 'app.test',
        error: 'insufficient_scope',
        description: 'role required',
        scope: ['access_as_application', 'x'],
      }),
    ).toBe(
      'Bearer realm="app.test", error="insufficient_scope", error_description="role required", scope="access_as_application x"',
    );
  });

  it('cannot be broken out of a quoted string', () => {
    expect(bearerChallenge({ realm: 'a"b\\c\r\nd' })).toBe('Bearer realm="abcd"');
    expect(bearerChallenge({ realm: 'r', error: 'insufficient_scope', scope: ['ok', 'bad"one'] })).toBe(
      'Bearer realm="r", error="insufficient_scope", scope="ok"',
    );
  });
});

describe('bearerAnswer', () => {
  it.each<[BearerErrorCode | undefined, number, string]>([
    [undefined, 401, 'unauthenticated'],
    ['invalid_request', 400, 'invalid_request'],
    ['invalid_token', 401, 'invalid_token'],
    ['insufficient_scope', 403, 'insufficient_scope'],
  ])('%s is answered %i, no-store, with a JSON body and the correlation id', (error, status, code) => {
    const answer = bearerAnswer({ realm: 'app.test', error, description: error ? 'expired' : undefined }, 'corr-1');
    expect(answer.status).toBe(status);
    expect(answer.headers['Cache-Control']).toBe('no-store');
    expect(answer.headers['Content-Type']).toMatch(/^application\/json/);
    expect(answer.headers['WWW-Authenticate']).toMatch(/^Bearer realm="app\.test"/);
    expect(JSON.parse(answer.body)).toEqual({ error: code, message: expect.any(String), correlationId: 'corr-1' });
  });
});
