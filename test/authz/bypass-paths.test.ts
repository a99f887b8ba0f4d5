import { describe, expect, it } from '@jest/globals';
import { bypassPathProblems, compileBypass, normalizePath } from '../../src/authz/bypass-paths.js';

describe('compileBypass', () => {
  const bypass = compileBypass(['/api/health', '/metrics', '/public/']);

  it('matches exact paths only, never prefixes', () => {
    expect(bypass('/api/health')).toBe(true);
    expect(bypass('/api/health/deep')).toBe(false);
    expect(bypass('/api/healthz')).toBe(false);
    expect(bypass('/api')).toBe(false);
  });

  it('ignores the query string', () => {
    expect(bypass('/metrics?format=prom')).toBe(true);
    expect(bypass('/metrics?next=#frag')).toBe(true);
  });

  it('never lets a raw # end the path: /metrics#/../admin is not /metrics', () => {
    expect(bypass('/metrics#x')).toBe(false);
    expect(bypass('/metrics#/../admin')).toBe(false);
    expect(normalizePath('/metrics#/../admin?x=1')).toBe('/metrics#/../admin');
  });

  it('treats a trailing slash as significant', () => {
    expect(bypass('/metrics/')).toBe(false);
    expect(bypass('/public/')).toBe(true);
    expect(bypass('/public')).toBe(false);
  });

  it('decodes percent-encoded unreserved characters but never an encoded slash', () => {
    expect(bypass('/api/%68ealth')).toBe(true);
    expect(bypass('/api%2Fhealth')).toBe(false);
    expect(bypass('/api%2fhealth')).toBe(false);
  });

  it('does not match dot segments or case variants', () => {
    expect(bypass('/api/../api/health')).toBe(false);
    expect(bypass('/API/health')).toBe(false);
  });

  it('bypasses nothing when the list is empty', () => {
    expect(compileBypass([])('/')).toBe(false);
  });

  it('normalises escapes to upper-case hex', () => {
    expect(normalizePath('/a%2fb')).toBe('/a%2Fb');
  });

  it('reports entries that are not absolute paths', () => {
    expect(bypassPathProblems(['health', '//x', '/ok', '/q?x=1'], 'BYPASS_PATHS')).toHaveLength(3);
  });
});
