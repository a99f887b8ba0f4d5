import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppDeps } from './deps.js';

function json(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** `/healthz`, `/readyz` and `/metrics`, whichever listener serves them. */
export function probeHandlers(deps: Pick<AppDeps, 'sessions' | 'oidc' | 'metrics' | 'logger'>) {
  const { sessions, oidc, metrics, logger } = deps;
  return {
    healthz: (req: IncomingMessage, res: ServerResponse): void => json(req, res, 200, { status: 'ok' }),
    readyz: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const problems: string[] = [];
      if (!oidc.ready) problems.push('provider metadata not loaded');
      try {
        await sessions.ping();
      } catch {
        problems.push(`${sessions.kind} session store unreachable`);
      }
      json(req, res, problems.length === 0 ? 200 : 503, {
        status: problems.length === 0 ? 'ready' : 'not ready',
        problems,
      });
    },
    metrics: async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      try {
        const text = await metrics.registry.metrics();
        res.writeHead(200, {
          'Content-Type': metrics.registry.contentType,
          'Cache-Control': 'no-store',
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      } catch (err) {
        logger.error({ err: { message: (err as Error).message } }, 'metrics collection failed');
        json(req, res, 500, { error: 'internal' });
      }
    },
  };
}
