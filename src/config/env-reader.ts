/** A source of variables, usually `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed values from an environment and collects every problem instead of
 * stopping at the first, so a bad deployment is fixed in one round.
 */
export class EnvReader {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  constructor(
    private readonly env: Env,
    /** Reads a file named by a variable (`NAME_FILE`, key and token files); synchronous, at start only. */
    readonly readFile: (path: string) => string,
  ) {}

  /** A trimmed value, or undefined when unset or empty. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A secret from `NAME`, or from the file named by `NAME_FILE` (a mounted Kubernetes secret). */
  secret(name: string): string | undefined {
    const direct = this.raw(name);
    const file = this.raw(`${name}_FILE`);
    if (direct !== undefined && file !== undefined) {
      this.problems.push(`${name} and ${name}_FILE are both set; set only one`);
      return undefined;
    }
    if (file === undefined) return direct;
    try {
      const content = this.readFile(file).replace(/\r?\n$/, '');
      if (content === '') this.problems.push(`${name}_FILE: file ${file} is empty`);
      return content || undefined;
    } catch (err) {
      this.problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }

  required(name: string, value: string | undefined, hint = ''): string {
    if (value === undefined) this.problems.push(`${name} is required${hint ? `: ${hint}` : ''}`);
    return value ?? '';
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (match === undefined) this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return match ?? fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '').split(/[\s,]+/).filter((s) => s !== '');
  }

  json(name: string): unknown {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value);
    } catch (err) {
      this.problems.push(`${name} is not valid JSON (${(err as Error).message})`);
      return undefined;
    }
  }

  url(name: string, value: string | undefined, schemes: readonly string[]): URL | undefined {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.problems.push(`${name} is not a valid URL (got "${value}")`);
      return undefined;
    }
    if (!schemes.includes(url.protocol.slice(0, -1))) {
      this.problems.push(`${name} must use ${schemes.join(' or ')} (got "${url.protocol}")`);
      return undefined;
    }
    return url;
  }
}
