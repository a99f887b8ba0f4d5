export type { Config, HeaderTemplate, RedisConfig, SessionStoreKind, UnauthenticatedBehavior } from './config.js';
export { loadConfig, ConfigError } from './load-config.js';
export type { Env } from './env-reader.js';
