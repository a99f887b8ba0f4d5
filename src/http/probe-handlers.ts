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
      // SESSION_FALLBACK=cookie serves sessions without Redis: the pod stays ready (so Kubernetes
      // does not pull every replica at once) and says what is wrong.
      const degraded: string[] = [];
      if (!oidc.ready) problems.push('provider metadata not loaded');
      try {
        await sessions.ping();
      } catch {
        if (!sessions.bridgesOutages) problems.push(`${sessions.kind} session store unreachable`);
        else
          degraded.push(`${sessions.kind} session store unreachable: sessions are served from their fallback cookies`);
      }
      const ready = problems.length === 0;
      json(req, res, ready ? 200 : 503, {
        status: !ready ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready',
        problems: [...problems, ...degraded],
        ...(degraded.length > 0 ? { degraded } : {}),
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
