import type http from 'node:http';

/** Where the demo app finds the token API, as the chart gives an app container its endpoints. */
export interface TokenApiDemoOptions {
  /** `NAIS_TOKEN_ENDPOINT`. */
  readonly tokenEndpoint: string;
  /** `NAIS_TOKEN_INTROSPECTION_ENDPOINT`. */
  readonly introspectionEndpoint: string;
  /** The Microsoft sidecar base URL (the same listener). */
  readonly sidecarUrl: string;
  /** The `target` of the machine token, e.g. `api://demo/.default`. */
  readonly target: string;
  /** The `DOWNSTREAM_APIS` name the demo calls. */
  readonly downstreamApi: string;
}

async function post(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/**
 * Adds `GET /token-api` to a demo app handler: the app asks the token API for a
 * machine token (texas `/api/v1/token`), has it introspected (`/api/v1/introspect`),
 * and calls a downstream API through it (`/DownstreamApiUnauthenticated/{name}`),
 * and shows the three answers as JSON. Every other path goes to `handler`.
 */
export function withTokenApiDemo(options: TokenApiDemoOptions, handler: http.RequestListener): http.RequestListener {
  return (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/token-api') {
      handler(req, res);
      return;
    }
    req.resume();
    void (async () => {
      try {
        const token = (await post(options.tokenEndpoint, { identity_provider: 'azuread', target: options.target })) as {
          body: { access_token?: string };
        };
        const introspection = await post(options.introspectionEndpoint, {
          identity_provider: 'azuread',
          token: token.body.access_token ?? '',
        });
        const downstream = await post(
          `${options.sidecarUrl}/DownstreamApiUnauthenticated/${encodeURIComponent(options.downstreamApi)}`,
        );
        const shown = { ...token, body: { ...token.body, access_token: '(hidden)' } };
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ token: shown, introspection, downstream }, null, 2));
      } catch (err) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`token API demo failed: ${(err as Error).message}`);
      }
    })();
  };
}
