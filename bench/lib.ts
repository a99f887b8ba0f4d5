import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from '../test/support/free-port.js';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A server under test in its own process (so it can be pinned), stopped by PID. */
export interface Child {
  readonly port: number;
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Compiles the service (tsconfig.build.json) under node_modules/.cache, so the
 * servers under test run plain JavaScript as in production (no tsx loader thread
 * in their CPU time or resident size). Returns the entry point.
 */
export async function buildService(): Promise<string> {
  const outDir = 'node_modules/.cache/idp-bench-dist';
  await run(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'],
    { cwd: ROOT },
  );
  return `${outDir}/main.js`;
}

/** Pins the running process `pid` (all its threads) to `cpus` (taskset). */
export async function pin(pid: number, cpus: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
}

/** Starts `node [--import tsx] <script>` (tsx for .ts) on a free port, pinned to `cpus` with taskset when given. */
export async function startChild(
  script: string,
  env: Record<string, string>,
  cpus?: string,
  nodeArgs: string[] = [],
): Promise<Child> {
  const port = await freePort();
  const args = script.endsWith('.ts') ? ['--import', 'tsx', ...nodeArgs, script] : [...nodeArgs, script];
  const command = cpus === undefined ? process.execPath : 'taskset';
  const argv = cpus === undefined ? args : ['-c', cpus, process.execPath, ...args];
  const child: ChildProcess = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForPort(port, 30_000), exited]);
  const pid = child.pid ?? 0;
  return {
    port,
    pid,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** What wrk measured. */
export interface WrkResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Responses wrk counted as non-2xx/3xx. */
  readonly bad: number;
  /** CPU seconds wrk itself used (user + system, from /usr/bin/time). */
  readonly wrkCpu: number;
}

function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** Runs wrk (-t1 -c32 --latency) against `url` with `headers`; pinned to `cpus` when given. */
export async function wrk(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  cpus?: string,
  extra: string[] = [],
): Promise<WrkResult> {
  const args = [
    '-t1',
    '-c32',
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ...extra,
    url,
  ];
  const timed = ['-f', 'wrk-cpu %U %S', 'wrk', ...args];
  const { stdout, stderr } =
    cpus === undefined
      ? await run('/usr/bin/time', timed, { maxBuffer: 1 << 24 })
      : await run('taskset', ['-c', cpus, '/usr/bin/time', ...timed], { maxBuffer: 1 << 24 });
  const cpu = /wrk-cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  const wrkCpu = cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const p50 = ms(/\n\s+50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = ms(/\n\s+99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50, p99, bad, wrkCpu };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

/** CPU seconds (user + system) a process and all its descendants have used so far (Linux /proc, 100 ticks/s). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        for (const c of children ? children.split(' ') : []) visit(Number(c));
      }
    } catch {
      // exited meanwhile
    }
  };
  visit(pid);
  return ticks / 100;
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

export { waitForPort };

/** Latency at a fixed offered rate (autocannon -R, 32 connections), below saturation: service time plus queueing, not Little's law. */
export async function latencyAtRate(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  rate: number,
  cpus: string,
): Promise<{ p50: number; p99: number; non2xx: number; rps: number }> {
  const args = [
    'node_modules/autocannon/autocannon.js',
    '-c',
    '32',
    '-d',
    String(seconds),
    '-R',
    String(rate),
    '-j',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    url,
  ];
  const { stdout } = await run('taskset', ['-c', cpus, process.execPath, ...args], { cwd: ROOT, maxBuffer: 1 << 24 });
  const result = JSON.parse(stdout) as {
    latency: { p50: number; p99: number };
    non2xx: number;
    requests: { average: number };
  };
  return { p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, rps: result.requests.average };
}

/**
 * Node flags for the service processes (BENCH_SERVICE_NODE_ARGS overrides):
 * the heap settings docs/performance.md recommends for production. A 4 MB
 * semi-space keeps the young generation from growing to 3 x 16 MB under a high
 * allocation rate; the old-space cap makes V8 collect before RSS drifts up.
 */
export function serviceNodeArgs(): string[] {
  return (process.env.BENCH_SERVICE_NODE_ARGS ?? '--max-semi-space-size=4 --max-old-space-size=96')
    .split(' ')
    .filter(Boolean);
}
