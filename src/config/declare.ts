import type { EnvReader } from './env-reader.js';

/**
 * One environment variable, declared once: what docs/configuration.md lists
 * (name, type, default, one-line doc) and how the loader reads and validates it.
 */
export interface Declaration {
  /** The variable, e.g. `SESSION_STORE`. */
  readonly name: string;
  /** What the value is: `string`, `boolean`, `integer`, `url`, `path`, `list`, `json`, `header name` or `one of …`. */
  readonly type: string;
  /** The default as docs/configuration.md writes it; undefined when there is none. */
  readonly default: string | undefined;
  /** True when the service refuses to start without it. */
  readonly required: boolean;
  /** True for credentials: also read from `<name>_FILE`, and never logged. */
  readonly secret: boolean;
  /** One line for the reader of docs and logs. */
  readonly doc: string;
}

/** A declaration that can read its own value, validating it and recording problems on the reader. */
export interface Variable<T> extends Declaration {
  read(r: EnvReader): T;
}

/** The values a record of variables yields, keyed like the record. */
export type Values<V> = { readonly [K in keyof V]: V[K] extends Variable<infer T> ? T : never };

/**
 * A part of the configuration: its variables, and how their values become its part of `Config`.
 * `B` is what the section needs from the sections read before it (registry order).
 */
export interface Section<V extends Record<string, Variable<unknown>>, T, B = unknown> {
  /** The section's name, as in `src/config/sections/<name>.ts`. */
  readonly name: string;
  readonly variables: V;
  /** Builds the section's part of `Config`, applying the rules that join its variables; `before` holds the earlier sections' parts. */
  build(values: Values<V>, r: EnvReader, before: B): T;
}

/** Declares a section; the types of its values follow from its variables. */
export function defineSection<V extends Record<string, Variable<unknown>>, T, B = unknown>(
  section: Section<V, T, B>,
): Section<V, T, B> {
  return section;
}

/** Reads every variable of a section, then builds its part of the configuration from them and `before`. */
export function readSection<V extends Record<string, Variable<unknown>>, T, B>(
  section: Section<V, T, B>,
  r: EnvReader,
  before: B,
): T {
  const values = Object.fromEntries(Object.entries(section.variables).map(([key, v]) => [key, v.read(r)]));
  return section.build(values as Values<V>, r, before);
}

type Spec = { doc: string; default?: string; required?: boolean };

function declare<T>(name: string, type: string, spec: Spec, read: (r: EnvReader) => T, secret = false): Variable<T> {
  return { name, type, default: spec.default, required: spec.required ?? false, secret, doc: spec.doc, read };
}

const PATH = /^\/[^\s?#]*$/;
/** An HTTP header name: an RFC 9110 `token`. The one definition, for header-name variables and `HEADERS` names. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Typed variable constructors: each knows how to parse and validate its kind of value. */
export const v = {
  /** Free text; the trimmed value or `fallback`. */
  string: <F extends string | undefined>(name: string, fallback: F, spec: Spec) =>
    declare(name, 'string', { default: fallback, ...spec }, (r): string | F => r.raw(name) ?? fallback),
  /** A credential, from `NAME` or the file `NAME_FILE`. */
  secret: (name: string, spec: Spec) => declare(name, 'secret', spec, (r) => r.secret(name), true),
  /** Several credentials separated by commas or white space, from `NAME` or `NAME_FILE`; undefined when unset. */
  secretList: (name: string, spec: Spec) =>
    declare(
      name,
      'list of secrets',
      spec,
      (r) =>
        r
          .secret(name)
          ?.split(/[\s,]+/)
          .filter((s) => s !== ''),
      true,
    ),
  /** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`). */
  boolean: (name: string, fallback: boolean, spec: Spec) =>
    declare(name, 'boolean', { default: String(fallback), ...spec }, (r) => r.boolean(name, fallback)),
  /** A whole number within `[min, max]`. */
  integer: (name: string, fallback: number, min: number, max: number, spec: Spec) =>
    declare(name, `integer ${min}–${max}`, { default: String(fallback), ...spec }, (r) =>
      r.integer(name, fallback, min, max),
    ),
  /** One of `allowed`, matched without regard to case. */
  oneOf: <T extends string>(name: string, allowed: readonly T[], fallback: T, spec: Spec) =>
    declare(name, `one of ${allowed.join(', ')}`, { default: fallback, ...spec }, (r) =>
      r.oneOf(name, allowed, fallback),
    ),
  /** Entries separated by commas or white space. */
  list: (name: string, spec: Spec) => declare(name, 'list', spec, (r) => r.list(name)),
  /** A JSON document, parsed; the section validates its shape. */
  json: (name: string, spec: Spec) => declare(name, 'json', spec, (r) => r.json(name)),
  /** An absolute URL with one of `schemes`. */
  url: (name: string, schemes: readonly string[], spec: Spec) =>
    declare(name, 'url', spec, (r) => r.url(name, r.raw(name), schemes)),
  /** A path on the app's domain, starting with one `/`. */
  path: (name: string, fallback: string, spec: Spec) =>
    declare(name, 'path', { default: fallback, ...spec }, (r) => {
      const value = r.string(name, fallback);
      if (!PATH.test(value) || value.startsWith('//'))
        r.problems.push(`${name} must be a path starting with / (got "${value}")`);
      return value;
    }),
  /** An HTTP header name (RFC 9110 token). */
  headerName: (name: string, spec: Spec) =>
    declare(name, 'header name', spec, (r) => {
      const value = r.raw(name);
      if (value !== undefined && !HEADER_NAME.test(value))
        r.problems.push(`${name} is not a valid header name (got "${value}")`);
      return value;
    }),
};
