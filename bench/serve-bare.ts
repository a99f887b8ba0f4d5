import http from 'node:http';

/**
 * The ceiling: a bare node:http server answering 200 with two fixed headers,
 * the shape of an allowed forwardAuth answer. Run pinned by bench/run.ts.
 */
const port = Number(process.env.PORT ?? 0);
const server = http.createServer({ keepAliveTimeout: 65_000 }, (_req, res) => {
  res.writeHead(200, {
    'X-Forwarded-User': 'Alice Andersen',
    'X-Forwarded-Email': 'alice@example.test',
    'Content-Length': 0,
  });
  res.end();
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
