import http from 'node:http';
import { unsign } from 'cookie-signature';
import { createClient } from 'redis';
import { loadConfig } from '../src/config/index.js';
import { appBinding, redisNamespace } from '../src/session/create-session-manager.js';
import { parseCookies } from '../src/session/cookies.js';
import { keyRing } from '../src/session/keys.js';
import { SealedRecords } from '../src/session/sealed-record.js';

/**
 * The ceiling of this design for a check that misses every cache: node:http, then exactly
 * what such a check cannot skip, with the service's own code and keys (its environment is
 * this process's): the session-id signature (`cookie-signature`, as `ServerSessionStore`
 * checks it), one node-redis GET of the session's record, and the record's opening
 * (`SealedRecords`: its key's HMAC, AES-256-GCM, `JSON.parse`); then 200 with two fixed
 * headers. No cache, touch, gate, identity headers or metrics. Run pinned by bench/run.ts
 * with the 100,000-session rotation, reading the sessions seeded for the service.
 */
const config = loadConfig(process.env);
const cookieName = `${config.cookieNamePrefix}session`;
const binding = { ...appBinding(config), cookieName };
const signingKey = Buffer.from(keyRing(config.sessionSecrets, 'session-id-signature', binding).current.key).toString(
  'base64',
);
const records = new SealedRecords(config.sessionSecrets, binding);
const namespace = redisNamespace(config.clientId);
const client = createClient({ url: process.env.BENCH_REDIS_URL });
client.on('error', () => undefined); // the run stops redis-server before this process
await client.connect();

const answer = (res: http.ServerResponse, status: number): void => {
  res.writeHead(status, {
    'X-Forwarded-User': 'Alice Andersen',
    'X-Forwarded-Email': 'alice@example.test',
    'Content-Length': 0,
  });
  res.end();
};

const port = Number(process.env.PORT ?? 0);
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const raw = parseCookies(req.headers.cookie)[cookieName];
  const id = raw?.startsWith('s:') === true ? unsign(raw.slice(2), signingKey) : false;
  if (id === false) {
    answer(res, 401);
    return;
  }
  client.get(`${namespace}sess:${id}`).then(
    async (value) => answer(res, (await records.open(id, value ?? undefined)) === undefined ? 401 : 200),
    () => answer(res, 503),
  );
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void client.close().finally(() => process.exit(0))));
