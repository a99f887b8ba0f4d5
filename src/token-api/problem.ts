import type { Response } from 'express';

/** ASP.NET Core's ProblemDetails defaults: the RFC 9110 section and title of each status the sidecar routes answer. */
const DEFAULTS: Record<number, { type: string; title: string }> = {
  400: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'Bad Request' },
  401: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.2', title: 'Unauthorized' },
  403: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.4', title: 'Forbidden' },
  404: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found' },
  413: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.14', title: 'Content Too Large' },
  500: {
    type: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
    title: 'An error occurred while processing your request.',
  },
  502: { type: 'https://tools.ietf.org/html/rfc9110#section-15.6.3', title: 'Bad Gateway' },
  504: { type: 'https://tools.ietf.org/html/rfc9110#section-15.6.5', title: 'Gateway Timeout' },
};

/** The sidecar's text for an unknown API name or a profile without scopes. */
export function noScopesDetail(apiName: string): string {
  return `No scopes found for the API '${apiName}' or in optionsOverride. 'scopes' needs to be either a single value or a list of values.`;
}

/** The sidecar's text for any unexpected failure. */
export const UNEXPECTED_DETAIL = 'An unexpected error occurred.';

/** Answers an RFC 9457 problem (`application/problem+json` `{type,title,status,detail}`), as `TypedResults.Problem` does. */
export function sendProblem(res: Response, status: number, detail: string): void {
  const { type, title } = DEFAULTS[status] ?? DEFAULTS[500];
  res.status(status).type('application/problem+json').send(JSON.stringify({ type, title, status, detail }));
}
