import http from 'node:http';

/**
 * The ceiling: a bare node:http server answering 200 with two fixed headers, the shape
 * of an allowed forwardAuth answer; or, with `BENCH_ANSWER_HEADERS` (a JSON object), with
 * those headers instead (an Entra-sized answer's identity headers, as the service sent
 * them). Run pinned by bench/run.ts.
 */
const given = process.env.BENCH_ANSWER_HEADERS;
const fixed =
  given === undefined ? undefined : { ...(JSON.parse(given) as Record<string, string>), 'Content-Length': 0 };
const port = Number(process.env.PORT ?? 0);
const server = http.createServer({ keepAliveTimeout: 65_000 }, (_req, res) => {
  res.writeHead(
    200,
    fixed ?? { 'X-Forwarded-User': 'Alice Andersen', 'X-Forwarded-Email': 'alice@example.test', 'Content-Length': 0 },
  );
  res.end();
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
