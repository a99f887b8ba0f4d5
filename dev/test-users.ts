/** A user of the development identity provider. */
export interface DevUser {
  readonly username: string;
  readonly password: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The development provider's users. `alice` passes the demo's claim rule
 * (`groups` anyOf `demo-users`); `bob` signs in but does not.
 */
export const DEV_USERS: readonly DevUser[] = [
  {
    username: 'alice',
    password: 'alice-password',
    claims: {
      name: 'Alice Andersen',
      email: 'alice@example.test',
      preferred_username: 'alice',
      groups: ['demo-users', 'admins'],
      roles: ['reader', 'writer'],
    },
  },
  {
    username: 'bob',
    password: 'bob-password',
    claims: { name: 'Bob Berg', email: 'bob@example.test', preferred_username: 'bob', groups: ['guests'], roles: [] },
  },
  {
    username: 'soren',
    password: 'soren-password',
    claims: {
      name: 'Søren Ødegård',
      email: 'soren@example.test',
      preferred_username: 'soren',
      groups: ['demo-users'],
      roles: ['reader'],
    },
  },
  {
    username: 'lilei',
    password: 'lilei-password',
    claims: {
      name: '李雷',
      preferred_username: 'lilei@example.test',
      groups: ['demo-users'],
      roles: ['reader'],
      org: { team: { name: 'platform' } },
    },
  },
];
