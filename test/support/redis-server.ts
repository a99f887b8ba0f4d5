import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './free-port.js';

/** A real `redis-server` (Debian package) on a free loopback port, stopped by PID. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The PID of the process running now (changes on restart). */
  readonly pid: number;
  /** Sends `signal` to the running process (SIGSTOP/SIGCONT freeze and thaw it). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, waiting for the process to be gone: no shutdown save. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `persistent`: an append-only file fsynced every second, so a SIGKILL loses at most the last second. */
export interface RedisServerOptions {
  readonly persistent?: boolean;
  /** Extra redis-server arguments. */
  readonly args?: readonly string[];
}

function launch(args: string[]): ChildProcess {
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function started(child: ChildProcess, port: number): Promise<void> {
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new Error(`cannot start redis-server (${err.message}); install it with: apt-get install -y redis-server`)),
    );
  });
  await Promise.race([waitForPort(port), failed]);
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    process.kill(child.pid ?? 0, signal);
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    ...persistence,
    '--protected-mode',
    'yes',
    ...(options.args ?? []),
  ];
  let child = launch(args);
  await started(child, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid ?? 0;
    },
    signal: (signal) => {
      process.kill(child.pid ?? 0, signal);
    },
    kill: () => exited(child, 'SIGKILL'),
    restart: async () => {
      child = launch(args);
      await started(child, port);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid ?? 0, 'SIGCONT');
      await exited(child, 'SIGTERM');
    },
  };
}
