import type { EffectiveOptions } from './sidecar-options.js';
import { joinUrl } from './sidecar-options.js';

/** The answer of `/DownstreamApi*`: the downstream status, its content headers, its body as text. */
export interface DownstreamEnvelope {
  readonly statusCode: number;
  readonly headers: Record<string, string[]>;
  readonly content: string | null;
}

/** Limits of a downstream call. */
export interface DownstreamLimits {
  /** Milliseconds before the call is abandoned (504). Default 30 000. */
  readonly timeoutMs?: number;
  /** Largest downstream body read, in bytes (502 beyond). Default 10 MiB. */
  readonly maxBytes?: number;
}

/** Why a downstream call produced no envelope; the routes answer it as problem+json. */
export class DownstreamError extends Error {
  constructor(
    readonly status: 502 | 504 | 500,
    message: string,
  ) {
    super(message);
    this.name = 'DownstreamError';
  }
}

/** .NET's content headers (`HttpContentHeaders`): the only ones the sidecar's envelope carries. */
const CONTENT_HEADERS = [
  'Allow',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Location',
  'Content-MD5',
  'Content-Range',
  'Content-Type',
  'Expires',
  'Last-Modified',
];

async function readBounded(response: Response, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new DownstreamError(502, `the downstream API answered more than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function decode(body: Buffer, contentType: string | null): string {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Calls `BaseUrl` + `RelativePath` with the token, the profile's method and the
 * caller's body (bytes, forwarded only with a `Content-Type`), never following a
 * redirect, within a timeout and a body-size bound. The downstream status, 3xx and
 * errors included, comes back in the envelope.
 */
export async function callDownstream(
  options: EffectiveOptions & { readonly baseUrl: string },
  token: string,
  body: { readonly bytes: Buffer; readonly contentType: string } | undefined,
  limits: DownstreamLimits = {},
): Promise<DownstreamEnvelope> {
  const url = joinUrl(options.baseUrl, options.relativePath, options.extraQuery);
  const headers = new Headers();
  for (const [name, value] of options.extraHeaders) headers.append(name, value);
  headers.set('Authorization', `Bearer ${token}`);
  if (options.acceptHeader !== undefined) headers.set('Accept', options.acceptHeader);
  const withBody = body !== undefined && !['GET', 'HEAD'].includes(options.httpMethod);
  if (withBody) headers.set('Content-Type', options.contentType ?? body.contentType);
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.httpMethod,
      headers,
      body: withBody ? new Uint8Array(body.bytes) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(limits.timeoutMs ?? 30_000),
    });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError')
      throw new DownstreamError(504, 'the downstream API did not answer in time');
    throw new DownstreamError(502, `the downstream API could not be reached: ${(err as Error).message}`);
  }
  let bytes: Buffer;
  try {
    bytes = await readBounded(response, limits.maxBytes ?? 10 * 1024 * 1024);
  } catch (err) {
    if (err instanceof DownstreamError) throw err;
    if ((err as Error).name === 'TimeoutError')
      throw new DownstreamError(504, 'the downstream API did not answer in time');
    throw new DownstreamError(502, `the downstream API's answer broke off: ${(err as Error).message}`);
  }
  const envelopeHeaders: Record<string, string[]> = {};
  for (const name of CONTENT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) envelopeHeaders[name] = [value];
  }
  if (bytes.length > 0 && envelopeHeaders['Content-Length'] === undefined)
    envelopeHeaders['Content-Length'] = [String(bytes.length)];
  return {
    statusCode: response.status,
    headers: envelopeHeaders,
    content: bytes.length > 0 ? decode(bytes, response.headers.get('content-type')) : null,
  };
}
