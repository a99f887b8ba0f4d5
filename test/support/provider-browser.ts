import { DEV_USERS } from '../../dev/test-users.js';
import { cookieHeader, ORIGIN, type Harness } from './harness.js';

/**
 * A browser as far as the provider sees it: it keeps the provider's cookies between
 * a login and a logout, so RP-initiated logout finds the provider session and the
 * provider sends back-channel logout tokens to every client in it.
 */
export class ProviderBrowser {
  /** The provider's cookies this browser holds. */
  cookies = '';

  private async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookies },
    });
    this.cookies = cookieHeader(res.headers.getSetCookie(), this.cookies);
    return res;
  }

  /** Signs `username` in on the provider's login page; returns the callback URL on `appOrigin`. */
  async signIn(authorizationUrl: string, username: string, appOrigin = ORIGIN): Promise<string> {
    const password = DEV_USERS.find((u) => u.username === username)?.password ?? '';
    let url = authorizationUrl;
    for (let hop = 0; hop < 8; hop++) {
      const interaction = /\/interaction\/[\w-]+$/.test(new URL(url).pathname);
      const res = interaction
        ? await this.fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ username, password }).toString(),
          })
        : await this.fetch(url);
      const location = res.headers.get('location');
      if (!location) throw new Error(`provider answered ${res.status} without a redirect`);
      url = new URL(location, url).href;
      if (url.startsWith(appOrigin)) return url;
    }
    throw new Error('provider did not redirect back');
  }

  /**
   * Follows an end-session URL like a browser: the provider's logout page auto-submits
   * its form (with `logout=yes`); returns where the provider finally sends the browser.
   */
  async endSession(endSessionUrl: string, appOrigin = ORIGIN): Promise<string> {
    const page = await this.fetch(endSessionUrl);
    const html = await page.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (action === undefined) throw new Error(`no logout form (status ${page.status}): ${html.slice(0, 200)}`);
    const form = new URLSearchParams();
    for (const input of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
      form.append(input[1], input[2]);
    let res = await this.fetch(new URL(action, endSessionUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    for (let hop = 0; hop < 5; hop++) {
      const location = res.headers.get('location');
      if (!location) throw new Error(`end session answered ${res.status} without a redirect`);
      const next = new URL(location, res.url || endSessionUrl).href;
      if (next.startsWith(appOrigin)) return next;
      res = await this.fetch(next);
    }
    throw new Error('the provider did not send the browser back');
  }
}

/** Logs `username` in through `h`'s forwardAuth with this provider browser; returns the app's Cookie header. */
export async function loginWith(
  h: Harness,
  browser: ProviderBrowser,
  username = 'alice',
  returnTo = '/',
): Promise<string> {
  const start = await h.forward(returnTo);
  if (start.status !== 302) throw new Error(`expected a login redirect, got ${start.status}`);
  const tx = cookieHeader(start.headers['set-cookie']);
  const callback = new URL(await browser.signIn(start.headers.location ?? '', username));
  const done = await h.forward(callback.pathname + callback.search, { cookie: tx });
  if (done.status !== 302) throw new Error(`callback failed with ${done.status}: ${done.text}`);
  return cookieHeader(done.headers['set-cookie'], tx);
}
