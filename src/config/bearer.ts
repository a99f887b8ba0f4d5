import { readFileSync } from 'node:fs';
import { readSection } from './declare.js';
import { EnvReader, type Env } from './env-reader.js';
import { bearerSection, type BearerConfig, type BearerConfigBase } from './sections/bearer.js';

export type { BearerConfig, BearerConfigBase } from './sections/bearer.js';

/**
 * Reads the bearer variables into `r` (problems and warnings collected there, each
 * naming its variable), given the earlier sections' values as `base`.
 */
export function readBearerConfig(r: EnvReader, base: BearerConfigBase): BearerConfig {
  return readSection(bearerSection, r, base).bearer;
}

/** Reads the bearer section from an environment on its own: the section, and every problem and warning. */
export function loadBearerConfig(
  env: Env,
  base: BearerConfigBase,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): {
  bearer: BearerConfig;
  problems: string[];
  warnings: string[];
} {
  const r = new EnvReader(env, readFile);
  const bearer = readBearerConfig(r, base);
  return { bearer, problems: r.problems, warnings: r.warnings };
}
