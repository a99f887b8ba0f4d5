import http from 'node:http';

/** A response read whole. */
export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * A GET whose header names go on the wire exactly as given (case, `_`, repeats),
 * which `fetch` cannot do: its Headers lower-case and merge names.
 */
export function rawGet(url: string, headers: readonly (readonly [string, string])[]): Promise<RawResponse> {
  const target = new URL(url);
  // With raw header pairs Node adds no Host of its own.
  const flat = [['Host', target.host] as const, ...headers].flat();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        family: 4,
        port: target.port,
        path: target.pathname + target.search,
        method: 'GET',
        headers: flat,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
