import http from 'node:http';
import { createClient } from 'redis';

/**
 * The ceiling of any design that reads Redis on every check: a bare node:http server that
 * answers 200 after one node-redis GET of a session-sized value (`BENCH_REDIS_URL`, key
 * `bench:floor`, about 400 bytes like a session record without tokens). Nothing is decrypted
 * or parsed. Run pinned by bench/run.ts beside the 100,000-session rotation.
 */
const client = createClient({ url: process.env.BENCH_REDIS_URL });
client.on('error', () => undefined); // the run stops redis-server before this process
await client.connect();
await client.set('bench:floor', 'r1.k.'.padEnd(400, 'x'));
const port = Number(process.env.PORT ?? 0);
const server = http.createServer({ keepAliveTimeout: 65_000 }, (_req, res) => {
  client.get('bench:floor').then(
    (value) => {
      res.writeHead(value === null ? 500 : 200, {
        'X-Forwarded-User': 'Alice Andersen',
        'X-Forwarded-Email': 'alice@example.test',
        'Content-Length': 0,
      });
      res.end();
    },
    () => {
      res.writeHead(503, { 'Content-Length': 0 });
      res.end();
    },
  );
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void client.close().finally(() => process.exit(0))));
