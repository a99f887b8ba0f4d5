import type { Declaration } from './declare.js';
import { authzSection } from './sections/authz.js';
import { bearerSection } from './sections/bearer.js';
import { cookieSection } from './sections/cookie.js';
import { headersSection } from './sections/headers.js';
import { httpSection } from './sections/http.js';
import { oidcSection } from './sections/oidc.js';
import { redisSection } from './sections/redis.js';
import { refreshSection } from './sections/refresh.js';
import { serverSection } from './sections/server.js';
import { sessionSection } from './sections/session.js';
import { tokenApiSection } from './sections/token-api.js';

/** Every section, in the order the loader reads them and docs/configuration.md lists them. */
export const sections = [
  oidcSection,
  httpSection,
  authzSection,
  bearerSection,
  headersSection,
  sessionSection,
  refreshSection,
  cookieSection,
  redisSection,
  serverSection,
  tokenApiSection,
] as const;

/** Every variable the service reads, each declared once in its section. */
export const declarations: readonly Declaration[] = sections.flatMap((section) =>
  // `read` is dropped here, never called, so its `this` does not matter.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  Object.values(section.variables).map(({ read: _read, ...declaration }) => Object.freeze(declaration)),
);

/** The declaration of one variable, or undefined when the service does not read it. */
export function declarationOf(name: string): Declaration | undefined {
  return declarations.find((d) => d.name === name);
}
