import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { demoAppHandler, received, startDemoApp, type DemoApp } from '../../../dev/demo-app.js';

/** Every request the upstream saw, so tests can check what reached the app. */
export interface Upstream extends DemoApp {
  readonly seen: ReturnType<typeof received>[];
  /** `127.0.0.1:<port>`, for proxy configurations. */
  readonly address: string;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked text frame (server to client). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('test frames are short');
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

/**
 * The demo app plus what the sidecar tests need: `/stream` (chunks sent over time),
 * `POST /upload` (byte count and SHA-256 of the body), and a WebSocket that greets
 * the user named in X-Forwarded-User.
 */
export async function startUpstream(): Promise<Upstream> {
  const seen: ReturnType<typeof received>[] = [];
  const sockets = new Set<Duplex>();
  const handler: http.RequestListener = (req, res) => {
    seen.push(received(req));
    if (req.url === '/stream') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let n = 0;
      const timer = setInterval(() => {
        res.write(`chunk ${n}\n`);
        if (++n === 5) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      return;
    }
    if (req.method === 'POST' && req.url === '/upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ bytes, sha256: hash.digest('hex'), user: req.headers['x-forwarded-user'] }));
      });
      return;
    }
    demoAppHandler(req, res);
  };
  const app = await startDemoApp({ handler });
  app.server.on('upgrade', (req: http.IncomingMessage, socket) => {
    seen.push(received(req));
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}${WS_GUID}`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(textFrame(`hello ${String(req.headers['x-forwarded-user'] ?? 'nobody')}`));
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    socket.on('close', () => sockets.delete(socket));
  });
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await app.close();
  };
  return { ...app, close, seen, address: new URL(app.url).host };
}
