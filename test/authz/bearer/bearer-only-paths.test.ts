import { describe, expect, it } from '@jest/globals';
import { bearerOnlyPathProblems, compileBearerOnlyPaths } from '../../../src/authz/bearer/bearer-only-paths.js';

describe('BEARER_ONLY_PATHS', () => {
  const only = compileBearerOnlyPaths(['/api/', '/internal']);

  it.each(['/api', '/api/', '/api/orders', '/api/orders?x=1', '/internal', '/internal/x', '/%61pi/x'])(
    '%s is bearer-only',
    (path) => {
      expect(only(path)).toBe(true);
    },
  );

  it.each(['/', '/apix', '/api-docs', '/internals', '/app/api/', '/API/x', '/api%2Fx'])(
    '%s is not (segment boundary, case, encoded slash)',
    (path) => {
      expect(only(path)).toBe(false);
    },
  );

  it('none configured matches nothing; / matches everything', () => {
    expect(compileBearerOnlyPaths([])('/api/')).toBe(false);
    expect(compileBearerOnlyPaths(['/'])('/anything')).toBe(true);
  });

  it('refuses entries that are not absolute path prefixes, naming the variable', () => {
    expect(bearerOnlyPathProblems(['api/', '//x', '/a?b', '/ok/'])).toEqual([
      'BEARER_ONLY_PATHS: "api/" must be a path prefix such as /api/, without query or fragment',
      'BEARER_ONLY_PATHS: "//x" must be a path prefix such as /api/, without query or fragment',
      'BEARER_ONLY_PATHS: "/a?b" must be a path prefix such as /api/, without query or fragment',
    ]);
  });
});
