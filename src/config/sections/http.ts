import { defineSection, v } from '../declare.js';

/**
 * What an unauthenticated request gets. `auto`: redirect navigations, 401 for fetch/XHR;
 * `unauthorized`: always 401; `pass`: through without identity headers (the app asks for login).
 */
export type UnauthenticatedBehavior = 'auto' | 'unauthorized' | 'pass';

/** Characters of a path segment (RFC 3986 pchar) plus `/`; no query, fragment, backslash or space. */
const ERROR_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/** The app's origin, the paths the service owns on it, and where allowed requests go. */
export interface HttpConfig {
  /** `DOMAIN`: the app's host (and port, if not the default), without scheme. Required. */
  readonly domain: string;
  /** `PUBLIC_SCHEME`: scheme the browser uses to reach the app, `https` (default) or `http` (local use only). */
  readonly publicScheme: 'https' | 'http';
  /** `CALLBACK_PATH`: redirect URI path on the app's domain. Default `/oauth2/callback`. */
  readonly callbackPath: string;
  /** `LOGIN_PATH`: starts a login; honours `?redirect=`. Default `/oauth2/login`. */
  readonly loginPath: string;
  /** `LOGOUT_PATH`: ends the session, then the provider's session. Default `/oauth2/logout`. */
  readonly logoutPath: string;
  /** `POST_LOGIN_REDIRECT_PATH`: where a login without a return-to URL lands. Default `/`. */
  readonly postLoginRedirectPath: string;
  /** `POST_LOGOUT_REDIRECT_URI`: absolute URL the provider sends the browser to after logout. Default `<scheme>://<DOMAIN>/oauth2/signed-out`. */
  readonly postLogoutRedirectUri: string;
  /**
   * `UNAUTHENTICATED_BEHAVIOR`: `auto` (default), `unauthorized` (always 401, never redirect) or
   * `pass` (no session: let the request through without identity headers).
   */
  readonly unauthenticatedBehavior: UnauthenticatedBehavior;
  /**
   * `ERROR_REDIRECT_PATH`: when set, a failed login (start or callback) of a browser navigation is
   * redirected to `<scheme>://<DOMAIN><path>?correlation_id=<id>&status_code=<status>` instead of
   * the service's error page. Unset: the error page.
   */
  readonly errorRedirectPath: string | undefined;
  /** `UPSTREAM_URL`: when set, sidecar mode: the service proxies allowed requests to this URL. */
  readonly upstreamUrl: URL | undefined;
}

/** `DOMAIN`, the service's paths, and sidecar mode. */
export const httpSection = defineSection({
  name: 'http',
  variables: {
    domain: v.string('DOMAIN', undefined, {
      required: true,
      doc: "The app's host name (with :port when not the default), without scheme or path.",
    }),
    publicScheme: v.oneOf('PUBLIC_SCHEME', ['https', 'http'] as const, 'https', {
      doc: 'The scheme browsers use for the app; http for local use only.',
    }),
    callbackPath: v.path('CALLBACK_PATH', '/oauth2/callback', {
      doc: 'Redirect URI path; register <scheme>://<DOMAIN><CALLBACK_PATH> at the provider.',
    }),
    loginPath: v.path('LOGIN_PATH', '/oauth2/login', { doc: 'Starts a login and returns to ?redirect=.' }),
    logoutPath: v.path('LOGOUT_PATH', '/oauth2/logout', { doc: "Ends the session, then the provider's session." }),
    postLoginRedirectPath: v.path('POST_LOGIN_REDIRECT_PATH', '/', {
      doc: 'Where a login without a return-to URL lands.',
    }),
    postLogoutRedirectUri: v.url('POST_LOGOUT_REDIRECT_URI', ['https', 'http'], {
      default: '<scheme>://<DOMAIN>/oauth2/signed-out',
      doc: 'Where the provider sends the browser after logout.',
    }),
    unauthenticatedBehavior: v.oneOf('UNAUTHENTICATED_BEHAVIOR', ['auto', 'unauthorized', 'pass'] as const, 'auto', {
      doc: 'auto: redirect navigations to login, 401 for fetch/XHR; unauthorized: always 401; pass: through without identity headers.',
    }),
    errorRedirectPath: v.string('ERROR_REDIRECT_PATH', undefined, {
      doc: "A path on the app where failed logins are redirected with ?correlation_id=&status_code= instead of the service's error page.",
    }),
    upstreamUrl: v.url('UPSTREAM_URL', ['http', 'https'], { doc: 'Sidecar mode: proxy allowed requests to this URL.' }),
  },
  build({ domain: rawDomain, publicScheme, postLogoutRedirectUri, errorRedirectPath, ...paths }, r): HttpConfig {
    const domain = r.required('DOMAIN', rawDomain, 'the app host, e.g. myapp.example.com').toLowerCase();
    if (domain !== '' && !/^[a-z0-9.-]+(:\d{1,5})?$/.test(domain)) {
      r.problems.push(`DOMAIN must be a host name with an optional port, without scheme or path (got "${domain}")`);
    }
    if (publicScheme === 'http')
      r.warnings.push('PUBLIC_SCHEME=http: the app is reached over plain http; local use only');
    if (errorRedirectPath !== undefined) {
      if (!ERROR_PATH.test(errorRedirectPath) || errorRedirectPath.startsWith('//')) {
        r.problems.push(
          `ERROR_REDIRECT_PATH must be a path on the app starting with one /, without query, fragment or spaces (got "${errorRedirectPath}")`,
        );
      } else if (errorRedirectPath === '/' || errorRedirectPath === paths.postLoginRedirectPath) {
        // The error page is served without login (see Gate): it must be a page of its own.
        r.problems.push(
          `ERROR_REDIRECT_PATH must be a page of its own, such as /login-failed: it is served without login, so "${errorRedirectPath}" (the home page or POST_LOGIN_REDIRECT_PATH) would become public`,
        );
      } else if ([paths.loginPath, paths.callbackPath].includes(errorRedirectPath)) {
        r.problems.push(`ERROR_REDIRECT_PATH must not be LOGIN_PATH or CALLBACK_PATH: a failed login would loop`);
      }
    }
    return {
      domain,
      publicScheme,
      ...paths,
      errorRedirectPath,
      postLogoutRedirectUri: postLogoutRedirectUri?.href ?? `${publicScheme}://${domain}/oauth2/signed-out`,
    };
  },
});
