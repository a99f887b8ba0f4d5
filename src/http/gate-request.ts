import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors/app-error.js';
import type { GateRequest } from '../gate/decision.js';
import { header, lazyCorrelationId } from '../gate/request-kind.js';
import { parseCookies } from '../session/cookies.js';

const METHOD = /^[A-Z]{1,16}$/;

/** A gate request for the request itself (direct calls, sidecar mode), with the client's headers and cookies. */
export function gateRequest(
  req: IncomingMessage,
  method: string,
  uri: string,
  correlationId = lazyCorrelationId(req.headers),
  forwarded = false,
): GateRequest {
  return {
    method,
    uri,
    headers: req.headers,
    cookies: parseCookies(header(req.headers, 'cookie')),
    correlationId,
    forwarded,
  };
}

/** The request as it arrived on the service: its own method and URL. */
export function directRequest(req: IncomingMessage, correlationId: () => string): GateRequest {
  return gateRequest(req, req.method ?? 'GET', req.url ?? '/', correlationId);
}

/** Reads Traefik's X-Forwarded-* headers into a gate request; 400 naming the header when one is missing or malformed. */
export function forwardedRequest(req: IncomingMessage, correlationId = lazyCorrelationId(req.headers)): GateRequest {
  const host = header(req.headers, 'x-forwarded-host');
  const uri = header(req.headers, 'x-forwarded-uri');
  const method = (header(req.headers, 'x-forwarded-method') ?? 'GET').toUpperCase();
  if (!host)
    throw new AppError(
      'MISSING_HEADER',
      'The X-Forwarded-Host header is required: call this endpoint through the forwardAuth proxy.',
      'missing X-Forwarded-Host',
    );
  if (!uri)
    throw new AppError(
      'MISSING_HEADER',
      'The X-Forwarded-Uri header is required: call this endpoint through the forwardAuth proxy.',
      'missing X-Forwarded-Uri',
    );
  if (!uri.startsWith('/'))
    throw new AppError(
      'BAD_REQUEST',
      'The X-Forwarded-Uri header must be a path starting with /.',
      'malformed X-Forwarded-Uri',
    );
  if (!METHOD.test(method))
    throw new AppError(
      'BAD_REQUEST',
      'The X-Forwarded-Method header is not an HTTP method.',
      'malformed X-Forwarded-Method',
    );
  return gateRequest(req, method, uri, correlationId, true);
}
