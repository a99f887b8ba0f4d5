import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { crossSectionProblems } from './cross-rules.js';
import { readSection, type Section, type Variable } from './declare.js';
import { EnvReader, type Env } from './env-reader.js';
import { sections } from './registry.js';

/** Thrown when the environment is not a valid configuration; lists every problem. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type AnySection = Section<Record<string, Variable<unknown>>, object>;
type PartOf<S> = S extends Section<infer _V, infer T> ? T : never;
type Intersection<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void ? I : never;
/** What the sections yield together: `Config` without the loader's own `warnings`. */
type Folded = Intersection<PartOf<(typeof sections)[number]>>;

/**
 * Builds the frozen configuration from an environment (normally `process.env`),
 * folding every section (the order of `sections` in registry.ts) and reporting
 * every problem at once. The only place that reads variables.
 */
export function loadConfig(env: Env, options: { readFile?: (path: string) => string } = {}): Config {
  const r = new EnvReader(env, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const parts = Object.assign({}, ...sections.map((section) => readSection(section as AnySection, r))) as Folded;
  r.problems.push(...crossSectionProblems(parts, r));
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze<Config>({ ...parts, warnings: r.warnings });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof URL) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
