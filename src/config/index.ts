export type {
  Config,
  HeaderTemplate,
  RedisConfig,
  SessionStoreKind,
  TokenApiConfig,
  UnauthenticatedBehavior,
} from './config.js';
export { loadConfig, ConfigError } from './load-config.js';
export type { Env } from './env-reader.js';
export { declarations, declarationOf, sections } from './registry.js';
export type { Declaration } from './declare.js';
export { effectiveConfig, logEffectiveConfig, REDACTED } from './effective-config.js';
