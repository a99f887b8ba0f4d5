// No spelling of an identity header a client sends may reach the app through Traefik:
// CGI-style apps read X_Forwarded_User, x-forwarded_user and X-Forwarded-User all as
// HTTP_X_FORWARDED_USER. Traefik (Go) compares header names ignoring case, but `_`
// and `-` are different names to it.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CASES, canonicalName, separatorSpellings } from '../support/header-spellings.js';
import { named, render, validateObject, type K8sObject } from './helm.js';

/** The names the service sets with ci/all-options-values.yaml plus an ID_TOKEN_HEADER from extraEnv. */
const NAMES = [
  'X-Forwarded-User',
  'X-Forwarded-Email',
  'X-Forwarded-Subject',
  'X-Forwarded-Client-Id',
  'X-Forwarded-Client-Name',
  'X-Auth-Request-Email',
  'X-Auth-Groups',
  'X-Id-Token',
  'Authorization',
  'X-Raw_Id.Token',
];
const NOT_IDENTITY = [
  'X-Forwarded-Host',
  'X-Forwarded-Uri',
  'X-Forwarded-For',
  'X-Forwarded-Users',
  'X-Forwarded-User-Agent',
  'XX-Forwarded-User',
  'X-Raw-IdxToken',
  'Accept',
  'Cookie',
];

let team: K8sObject[];
let all: K8sObject[];

beforeAll(async () => {
  [team, all] = await Promise.all([
    render({ valuesFiles: ['existing-team-values.yaml'] }),
    render({
      release: 'app',
      valuesFiles: ['all-options-values.yaml'],
      values: { extraEnv: [{ name: 'ID_TOKEN_HEADER', value: 'X-Raw_Id.Token' }] },
    }),
  ]);
});

/** Traefik's Go regexp, read in JavaScript: `(?i)` becomes the `i` flag; the rest is the same syntax. */
function goRegex(source: string): RegExp {
  expect(source.startsWith('(?i)')).toBe(true);
  return new RegExp(source.slice(4), 'i');
}

const every = (names: readonly string[]) =>
  names.flatMap(separatorSpellings).flatMap((s) => CASES.map((c) => c.apply(s)));

describe('forwardAuth Middleware <release>', () => {
  it('keeps the name ingresses reference and lists the subject header among the auth response headers', () => {
    const fa = named(team, 'Middleware', 'myapp-oidc').spec.forwardAuth;
    expect(fa.authResponseHeaders).toContain('X-Forwarded-Subject');
    expect(named(all, 'Middleware', 'app-sso').spec.forwardAuth.authResponseHeaders).toEqual(NAMES);
  });

  it('has an authResponseHeadersRegex matching every case and `_`/`-` spelling of every identity header, which Traefik deletes from the request', () => {
    const re = goRegex(named(all, 'Middleware', 'app-sso').spec.forwardAuth.authResponseHeadersRegex);
    const missed = every(NAMES).filter((s) => !re.test(s));
    expect(missed).toEqual([]);
  });

  it('does not match headers that are no identity (the regex also picks what to copy from the service)', () => {
    const re = goRegex(named(all, 'Middleware', 'app-sso').spec.forwardAuth.authResponseHeadersRegex);
    expect(NOT_IDENTITY.filter((h) => re.test(h))).toEqual([]);
  });
});

describe('headers Middleware <release>-strip-identity', () => {
  it('is a Traefik headers Middleware next to the forwardAuth one, valid against the CRD schema', () => {
    const mw = named(team, 'Middleware', 'myapp-oidc-strip-identity');
    expect(mw.metadata.namespace).toBe('my-namespace');
    expect(Object.keys(mw.spec)).toEqual(['headers']);
    expect(() => validateObject(mw)).not.toThrow();
  });

  it('deletes every `_`/`-` spelling of the built-in headers (case does not matter to Traefik)', () => {
    const deleted = named(team, 'Middleware', 'myapp-oidc-strip-identity').spec.headers.customRequestHeaders as Record<
      string,
      string
    >;
    const expected = [
      'X-Forwarded-User',
      'X-Forwarded-Email',
      'X-Forwarded-Subject',
      'X-Forwarded-Client-Id',
      'X-Forwarded-Client-Name',
    ].flatMap(separatorSpellings);
    expect(Object.keys(deleted).sort()).toEqual([...expected].sort());
    expect(new Set(Object.values(deleted))).toEqual(new Set(['']));
  });

  it('covers every HEADERS, authorizationHeader and extraEnv ID_TOKEN_HEADER name too, 2^k spellings for k separators', () => {
    const deleted = Object.keys(
      named(all, 'Middleware', 'app-sso-strip-identity').spec.headers.customRequestHeaders as Record<string, string>,
    );
    const lower = new Set(deleted.map((d) => d.toLowerCase()));
    const expected = NAMES.flatMap(separatorSpellings);
    expect(expected.filter((s) => !lower.has(s.toLowerCase()))).toEqual([]);
    expect(deleted).toHaveLength(NAMES.reduce((n, name) => n + 2 ** (name.split(/[-_]/).length - 1), 0));
    expect(new Set(deleted.map(canonicalName))).toEqual(new Set(NAMES.map(canonicalName)));
  });
});
