import { readSection } from './declare.js';
import { EnvReader, type Env } from './env-reader.js';
import { tokenApiSection, type TokenApiConfig } from './sections/token-api.js';

export { isEntraIssuer, parseHostPort, type TokenApiConfig } from './sections/token-api.js';

/** Reads the token API section from an environment record on its own (`issuerUrl` stands in for `OIDC_ISSUER_URL`): the section (undefined when off or invalid) and every problem, each naming its variable. */
export function loadTokenApiConfig(
  env: Env,
  issuerUrl?: URL,
): {
  config: TokenApiConfig | undefined;
  problems: string[];
  warnings: string[];
} {
  const withIssuer = issuerUrl && env.OIDC_ISSUER_URL === undefined ? { ...env, OIDC_ISSUER_URL: issuerUrl.href } : env;
  const r = new EnvReader(withIssuer, () => {
    throw new Error('no files are read for the token API section');
  });
  const { tokenApi } = readSection(tokenApiSection, r, {});
  return { config: r.problems.length === 0 ? tokenApi : undefined, problems: r.problems, warnings: r.warnings };
}
