import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ACCESS_POLICY, parseAccessPolicy } from '../../../src/authz/bearer/access-policy.js';

describe('parseAccessPolicy', () => {
  it('reads the seed vocabulary', () => {
    const input = {
      applications: [{ name: 'prod:team:app-a', clientId: 'id-a' }],
      appRoles: ['access_as_application'],
      users: { allowAll: false, groups: ['g1'], scopes: [] },
    };
    expect(parseAccessPolicy(input)).toEqual({ policy: input, problems: [] });
  });

  it('defaults to no application, the access_as_application role and no user', () => {
    expect(parseAccessPolicy(undefined)).toEqual({ policy: DEFAULT_ACCESS_POLICY, problems: [] });
    expect(parseAccessPolicy({}).policy).toEqual(DEFAULT_ACCESS_POLICY);
    expect(parseAccessPolicy({ appRoles: [] }).policy.appRoles).toEqual([]);
  });

  it.each([
    [[], 'ACCESS_POLICY must be a JSON object'],
    [{ applications: {} }, 'ACCESS_POLICY.applications must be a list'],
    [{ applications: [{ name: 'x' }] }, 'ACCESS_POLICY.applications[0].clientId'],
    [{ applications: [{ clientId: 'id' }] }, 'ACCESS_POLICY.applications[0].name'],
    [
      {
        applications: [
          { name: 'a', clientId: 'id' },
          { name: 'b', clientId: 'id' },
        ],
      },
      'listed twice',
    ],
    [
      { applications: [{ name: 'a', clientId: 'id', namespace: 'x' }] },
      'ACCESS_POLICY.applications[0] has unknown key(s): namespace',
    ],
    [{ appRoles: 'access_as_application' }, 'ACCESS_POLICY.appRoles must be a list'],
    [{ users: [] }, 'ACCESS_POLICY.users must be an object'],
    [{ users: { allowAll: 'yes' } }, 'ACCESS_POLICY.users.allowAll must be true or false'],
    [{ users: { groups: [''] } }, 'ACCESS_POLICY.users.groups must be a list'],
    [{ users: { scopes: [1] } }, 'ACCESS_POLICY.users.scopes must be a list'],
    [{ users: { group: ['g'] } }, 'ACCESS_POLICY.users has unknown key(s): group'],
    [{ inbound: {} }, 'ACCESS_POLICY has unknown key(s): inbound'],
  ])('refuses %j naming the variable', (input, message) => {
    const { problems } = parseAccessPolicy(input);
    expect(problems.join('\n')).toContain(message);
  });

  it('collects every problem at once', () => {
    expect(parseAccessPolicy({ applications: [{}], appRoles: 1, users: { allowAll: 1 } }).problems).toHaveLength(3);
  });
});
