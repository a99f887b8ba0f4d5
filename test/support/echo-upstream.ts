import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the echo upstream received. */
export interface EchoedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A loopback downstream API that records every request and answers by path. */
export interface EchoUpstream {
  readonly url: string;
  readonly requests: EchoedRequest[];
  close(): Promise<void>;
}

/** Bytes that are not valid UTF-8, answered by `/binary`. */
export const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a]);

/**
 * Starts the echo upstream on a free loopback port. Paths: `/redirect` answers 302 to
 * `/landed`; `/chunked` a chunked text body; `/binary` `BINARY` as octet-stream;
 * `/status/<n>` that status; `/big` 2 MiB; anything else a JSON echo
 * `{method, path, authorization, contentType, body}` with an `X-Echo` response header.
 */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const requests: EchoedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path.endsWith('/redirect')) {
        res.writeHead(302, { Location: '/landed', 'Content-Length': '0' }).end();
      } else if (path.endsWith('/chunked')) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.write('first,');
        setTimeout(() => res.end('second'), 10);
      } else if (path.endsWith('/binary')) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BINARY.length }).end(BINARY);
      } else if (path.endsWith('/big')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('x'.repeat(2 * 1024 * 1024));
      } else if (/\/status\/\d{3}$/.test(path)) {
        const status = Number(path.slice(-3));
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status }));
      } else {
        const answer = JSON.stringify({
          method: req.method,
          path: req.url,
          authorization: req.headers.authorization ?? null,
          contentType: req.headers['content-type'] ?? null,
          body: body.toString('base64'),
        });
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'X-Echo': 'yes' }).end(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
