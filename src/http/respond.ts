import type { ServerResponse } from 'node:http';
import { causeSummary, isAppError, type AppError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import { bearerAnswer } from '../authz/bearer/bearer-challenge.js';
import type { Decision } from '../gate/decision.js';
import { ERROR_MAP } from './error-map.js';
import { writeFrontchannel } from './frontchannel-page.js';
import { renderPage } from './pages.js';

/** Headers on every page and JSON body the service writes itself. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string,
  contentType: string,
): void {
  res.writeHead(status, {
    ...PAGE_HEADERS,
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

type AllowDecision = Extract<Decision, { kind: 'allow' }>;

/**
 * The hot path's answer, forwardAuth mode only: 200 with the identity headers for
 * the proxy to copy, no page headers, and Set-Cookie only when the session was refreshed.
 */
export function writeAllow(res: ServerResponse, decision: AllowDecision): void {
  if (decision.setCookies.length === 0) {
    res.writeHead(200, allowBlock(decision.headers));
  } else {
    res.writeHead(200, { ...allowBlock(decision.headers), 'Set-Cookie': [...decision.setCookies] });
  }
  res.end();
}

/** The allow answer's header block per frozen identity-header record (one per cached session), built once. */
const allowBlocks = new WeakMap<object, Readonly<Record<string, string | number>>>();

function allowBlock(identity: Readonly<Record<string, string>>): Readonly<Record<string, string | number>> {
  // Only a frozen record (a session's, `compileIdentityHeaders`) lives across requests; others are built per answer.
  if (!Object.isFrozen(identity)) return { ...identity, 'Cache-Control': 'no-store', 'Content-Length': 0 };
  let block = allowBlocks.get(identity);
  if (block === undefined) {
    block = Object.freeze({ ...identity, 'Cache-Control': 'no-store', 'Content-Length': 0 });
    allowBlocks.set(identity, block);
  }
  return block;
}

/** Writes a page (HTML) or a JSON body, whichever the client accepts. */
export function sendPage(
  res: ServerResponse,
  html: boolean,
  status: number,
  page: Parameters<typeof renderPage>[0],
  json: Record<string, unknown>,
  headers: Record<string, string | string[]> = {},
): void {
  if (html) send(res, status, headers, renderPage(page), 'text/html; charset=utf-8');
  else send(res, status, headers, JSON.stringify({ ...json, correlationId: page.correlationId }), 'application/json');
}

/**
 * Writes every decision but `allow` (`writeAllow`; sidecar mode proxies instead). In
 * forwardAuth mode a 2xx lets the request through, anything else goes back to the client.
 */
export function writeDecision(
  res: ServerResponse,
  decision: Exclude<Decision, AllowDecision>,
  html: boolean,
  correlationId: () => string,
): void {
  const cookies = { 'Set-Cookie': [...decision.setCookies] };
  switch (decision.kind) {
    case 'bypass':
      res.writeHead(200, { ...cookies, 'Content-Length': 0 });
      res.end();
      return;
    case 'redirect':
      res.writeHead(302, { ...PAGE_HEADERS, ...cookies, Location: decision.location, 'Content-Length': 0 });
      res.end();
      return;
    case 'unauthenticated':
      sendPage(
        res,
        html,
        401,
        {
          title: 'Please sign in',
          message: 'You need to sign in to see this page.',
          actions: [{ label: 'Sign in', href: decision.loginUrl }],
          correlationId: correlationId(),
        },
        { error: 'unauthenticated', message: 'Sign in first.', loginUrl: decision.loginUrl },
        cookies,
      );
      return;
    case 'forbidden':
      sendPage(
        res,
        html,
        403,
        {
          title: 'You don’t have access',
          message: `${decision.user ? `You are signed in as ${decision.user}, but your` : 'Your'} account is not allowed to use this application. Ask its owner for access, or sign in with another account.`,
          actions: [
            { label: 'Sign in with another account', href: decision.switchAccountUrl },
            { label: 'Sign out', href: decision.logoutUrl, secondary: true },
          ],
          correlationId: correlationId(),
        },
        {
          error: 'forbidden',
          message: 'Your account lacks the access this application requires.',
          logoutUrl: decision.logoutUrl,
          switchAccountUrl: decision.switchAccountUrl,
        },
        cookies,
      );
      return;
    case 'json':
      send(
        res,
        decision.status,
        { ...decision.headers, ...cookies },
        JSON.stringify(decision.body),
        'application/json',
      );
      return;
    case 'bearer-refused': {
      // RFC 6750: the challenge, a JSON body with the correlation id, no-store; never a cookie.
      const answer = bearerAnswer(decision.challenge, correlationId());
      res.writeHead(answer.status, {
        ...PAGE_HEADERS,
        ...answer.headers,
        'Content-Length': Buffer.byteLength(answer.body),
      });
      res.end(res.req?.method === 'HEAD' ? undefined : answer.body);
      return;
    }
    case 'signed-out':
      // Not 2xx: through forwardAuth this page must be shown, not passed to the app.
      sendPage(
        res,
        html,
        401,
        {
          title: 'You are signed out',
          message: 'You have been signed out of this application.',
          actions: [{ label: 'Sign in again', href: decision.loginUrl }],
        },
        { error: 'signed_out', message: 'Signed out.', loginUrl: decision.loginUrl },
        cookies,
      );
      return;
    case 'frontchannel-logout':
      writeFrontchannel(res, decision, html);
      return;
    case 'signed-out-local':
      res.writeHead(204, { ...PAGE_HEADERS, ...cookies });
      res.end();
      return;
  }
}

/**
 * The one error writer: status and level from ERROR_MAP; the user sees a short message
 * and the id, never a stack or token. The log line gets the reason: `detail` and the
 * cause's name, message and code. With `redirect` (a failed login under
 * `ERROR_REDIRECT_PATH`) the browser goes there with a 302 instead of seeing the page.
 */
export function writeError(
  res: ServerResponse,
  err: unknown,
  html: boolean,
  id: string,
  logger: Logger,
  retryUrl: string,
  redirect?: (status: number) => string,
): void {
  const known: AppError | undefined = isAppError(err) ? err : undefined;
  const code = known?.code ?? 'INTERNAL';
  const presentation = ERROR_MAP[code];
  const message = known?.message ?? 'An unexpected error occurred. Please try again.';
  logger[presentation.level](
    {
      correlationId: id,
      code,
      detail: known?.detail,
      cause: known ? causeSummary(known) : undefined,
      err: known ? undefined : { message: (err as Error)?.message, stack: (err as Error)?.stack },
    },
    'request failed',
  );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (redirect !== undefined) {
    res.writeHead(302, { ...PAGE_HEADERS, Location: redirect(presentation.status), 'Content-Length': 0 });
    res.end();
    return;
  }
  const retry = presentation.status !== 400 || code !== 'MISSING_HEADER';
  sendPage(
    res,
    html,
    presentation.status,
    {
      title: presentation.title,
      message,
      actions: retry ? [{ label: 'Try again', href: retryUrl }] : [],
      correlationId: id,
    },
    { error: code.toLowerCase(), message },
    presentation.retryAfter === undefined ? {} : { 'Retry-After': String(presentation.retryAfter) },
  );
}
