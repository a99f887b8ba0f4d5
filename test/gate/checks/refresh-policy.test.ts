import { describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { loadConfig } from '../../../src/config/index.js';
import { AppError } from '../../../src/errors/app-error.js';
import { classifyRefreshFailure } from '../../../src/gate/checks/refresh-outcome.js';
import { forwardsTokens, refreshDueAt, refreshEnabled } from '../../../src/gate/checks/refresh-policy.js';
import type { Session } from '../../../src/session/session.js';
import { serviceEnv } from '../../support/harness.js';

const config = (env: Record<string, string> = {}) => loadConfig(serviceEnv('http://127.0.0.1:1', env));
const session = (over: Partial<Session>): Session => ({
  sub: 'alice',
  claims: {},
  createdAt: 1000,
  lastSeenAt: 1000,
  expiresAt: 50_000,
  refreshToken: 'rt',
  accessTokenExpiresAt: 1000 + 3600,
  ...over,
});

describe('TOKEN_REFRESH', () => {
  it('auto refreshes only when a token is forwarded', () => {
    expect(refreshEnabled(config())).toBe(false);
    expect(refreshEnabled(config({ AUTHORIZATION_HEADER: 'Authorization' }))).toBe(true);
    expect(refreshEnabled(config({ ID_TOKEN_HEADER: 'X-Id-Token' }))).toBe(true);
    expect(forwardsTokens(config({ HEADERS: JSON.stringify([{ name: 'X-T', value: 'T {{ .accessToken }}' }]) }))).toBe(
      true,
    );
    expect(forwardsTokens(config({ HEADERS: JSON.stringify([{ name: 'X-E', value: '{{ .claims.email }}' }]) }))).toBe(
      false,
    );
  });

  it('on and off override the rule', () => {
    expect(refreshEnabled(config({ TOKEN_REFRESH: 'on' }))).toBe(true);
    expect(refreshEnabled(config({ TOKEN_REFRESH: 'off', AUTHORIZATION_HEADER: 'Authorization' }))).toBe(false);
  });

  it('refuses a margin that does not exceed SESSION_CACHE_TTL, naming both', () => {
    expect(() => config({ TOKEN_REFRESH_MARGIN: '5' })).toThrow(/TOKEN_REFRESH_MARGIN.*SESSION_CACHE_TTL/);
    expect(config({ TOKEN_REFRESH_MARGIN: '5', SESSION_CACHE_TTL: '4' }).tokenRefreshMargin).toBe(5);
    expect(() => config({ TOKEN_REFRESH: 'sometimes' })).toThrow(/TOKEN_REFRESH/);
  });
});

describe('refreshDueAt', () => {
  it('is the margin before expiry, the margin at most half the token lifetime', () => {
    expect(refreshDueAt(session({}), 300)).toBe(1000 + 3600 - 300);
    expect(refreshDueAt(session({ accessTokenExpiresAt: 1060 }), 300)).toBe(1030);
    expect(refreshDueAt(session({ refreshedAt: 2000, accessTokenExpiresAt: 2100 }), 300)).toBe(2050);
  });

  it('is never without a refresh token or an expiry', () => {
    expect(refreshDueAt(session({ refreshToken: undefined }), 300)).toBeUndefined();
    expect(refreshDueAt(session({ accessTokenExpiresAt: undefined }), 300)).toBeUndefined();
  });
});

describe('classifyRefreshFailure', () => {
  const oauth = (error: string, status = 400) =>
    new AppError('CODE_REJECTED', 'x', error, {
      cause: new client.ResponseBodyError('server responded with an error', {
        cause: { error },
        response: new Response(null, { status }),
      }),
    });

  it.each(['invalid_grant', 'interaction_required', 'login_required', 'consent_required'])(
    '%s ends the session',
    (e) => {
      expect(classifyRefreshFailure(oauth(e)).outcome).toBe('ended');
    },
  );

  it('keeps the session on provider trouble and client errors; rejects unverifiable answers', () => {
    expect(classifyRefreshFailure(new AppError('PROVIDER_UNAVAILABLE', 'x')).outcome).toBe('failed');
    expect(classifyRefreshFailure(oauth('invalid_client', 401))).toMatchObject({ outcome: 'failed', level: 'error' });
    expect(classifyRefreshFailure(oauth('temporarily_unavailable')).outcome).toBe('failed');
    expect(classifyRefreshFailure(new AppError('TOKEN_INVALID', 'x')).outcome).toBe('rejected');
  });
});
