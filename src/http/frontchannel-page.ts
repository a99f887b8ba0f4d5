import type { ServerResponse } from 'node:http';
import type { Decision } from '../gate/decision.js';
import { renderPage } from './pages.js';

type FrontchannelDecision = Extract<Decision, { kind: 'frontchannel-logout' }>;

/**
 * The front-channel logout answer: rendered in the provider's iframe, so it carries
 * its own header set: no `X-Frame-Options`, `frame-ancestors` the issuer's origin,
 * and `Cache-Control: no-cache, no-store` (Front-Channel Logout 1.0 §4). Direct and
 * sidecar calls get 200 and a tiny page. Through forwardAuth a 2xx would pass the
 * request on to the app, so it is answered like the signed-out page (401); the
 * provider cannot observe a cross-origin frame's status anyway.
 */
export function writeFrontchannel(res: ServerResponse, decision: FrontchannelDecision, html: boolean): void {
  res.removeHeader('X-Frame-Options');
  res.removeHeader('Content-Security-Policy');
  const page = decision.forwarded
    ? renderPage({
        title: 'You are signed out',
        message: 'You have been signed out of this application.',
        actions: [{ label: 'Sign in again', href: decision.loginUrl }],
      })
    : '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body></body></html>';
  const json = JSON.stringify(
    decision.forwarded
      ? { error: 'signed_out', message: 'Signed out.', loginUrl: decision.loginUrl }
      : { status: 'signed_out' },
  );
  const body = html || !decision.forwarded ? page : json;
  res.writeHead(decision.forwarded ? 401 : 200, {
    'Cache-Control': 'no-cache, no-store',
    Pragma: 'no-cache',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors ${decision.frameAncestor}`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Type': body === json ? 'application/json' : 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Set-Cookie': [...decision.setCookies],
  });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}
