import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './free-port.js';

const run = promisify(execFile);

/** A real Sentinel set-up on loopback: one master, one replica, one `redis-sentinel` monitoring `mymaster`. */
export interface RedisSentinel {
  /** `host:port` of the sentinel: the value of REDIS_SENTINELS. */
  readonly sentinels: string;
  /** The port of the current master, as the sentinel reports it. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER mymaster`, resolving once the sentinel names the other server master. */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

function redisServer(port: number, extra: string[]): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  return spawn('redis-server', [...args, ...extra], { stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startRedisSentinel(): Promise<RedisSentinel> {
  const [master, replica, sentinel] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-conf-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${sentinel}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${master} 1`,
      'sentinel down-after-milliseconds mymaster 1000',
      'sentinel failover-timeout mymaster 5000',
      '',
    ].join('\n'),
  );
  const children = [
    redisServer(master, []),
    redisServer(replica, ['--replicaof', '127.0.0.1', String(master)]),
    spawn('redis-sentinel', [conf], { stdio: 'ignore' }),
  ];
  const cli = (...args: string[]) => run('redis-cli', ['-p', String(sentinel), ...args]).then((r) => r.stdout);
  const masterPort = async () => Number((await cli('sentinel', 'get-master-addr-by-name', 'mymaster')).split('\n')[1]);
  const stop = async () => {
    await Promise.all(children.map(exited));
  };
  const until = async (done: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!(await done().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`redis sentinel: ${what} did not happen within 20 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await Promise.all([master, replica, sentinel].map((port) => waitForPort(port)));
    await until(
      async () =>
        (await run('redis-cli', ['-p', String(replica), 'info', 'replication'])).stdout.includes(
          'master_link_status:up',
        ),
      'replication',
    );
    await until(
      async () => (await cli('sentinel', 'replicas', 'mymaster')).includes(String(replica)),
      'replica discovery',
    );
    return {
      sentinels: `127.0.0.1:${sentinel}`,
      masterPort,
      failover: async () => {
        const before = await masterPort();
        await cli('sentinel', 'failover', 'mymaster');
        await until(async () => (await masterPort()) !== before, 'failover');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
