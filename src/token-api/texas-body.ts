import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { BodyEncoding } from './texas-request.js';
import { invalidRequest, TokenApiError } from './token-api-error.js';

/** The largest request body the texas routes read. Tokens are a few kB; 64 KiB leaves room for large Entra tokens. */
export const TEXAS_BODY_LIMIT = 64 * 1024;

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Which encoding a `Content-Type` selects: texas accepts any value that starts with one of its two media types. */
export function bodyEncodingOf(contentType: string | undefined): BodyEncoding | undefined {
  const type = contentType?.trimStart().toLowerCase() ?? '';
  if (type.startsWith(JSON_TYPE)) return 'json';
  if (type.startsWith(FORM_TYPE)) return 'form';
  return undefined;
}

/** The encoding `texasBody` found, for the route handler. */
export function encodingOf(res: Response): BodyEncoding {
  return res.locals.texasEncoding as BodyEncoding;
}

function bodyError(err: unknown, limit: number, encoding: BodyEncoding): TokenApiError {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large')
    return new TokenApiError(413, 'invalid_request', `request body is larger than ${limit} bytes`);
  if (type === 'entity.parse.failed' && encoding === 'json')
    return invalidRequest(`Failed to parse the request body as JSON: ${(err as Error).message}`);
  if (type === 'encoding.unsupported')
    return invalidRequest('unsupported Content-Encoding: send the body uncompressed');
  if (type === 'charset.unsupported')
    return invalidRequest(`unsupported charset: ${(err as { charset?: string }).charset ?? ''}: send UTF-8`);
  return invalidRequest(`cannot read the request body: ${(err as Error).message}`);
}

/**
 * Reads a texas request body: `application/json` or
 * `application/x-www-form-urlencoded` (any other type → 400 `invalid_request`
 * with texas's text), at most `limit` bytes (more → 413), uncompressed.
 * Passes every failure on as a `TokenApiError`.
 */
export function texasBody(limit = TEXAS_BODY_LIMIT): RequestHandler {
  const parsers: Record<BodyEncoding, RequestHandler> = {
    json: express.json({ limit, type: () => true, inflate: false, strict: true }),
    form: express.urlencoded({ limit, type: () => true, inflate: false, extended: false, parameterLimit: 100 }),
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const contentType = req.headers['content-type'];
    const encoding = bodyEncodingOf(contentType);
    if (!encoding) {
      next(
        invalidRequest(
          `unsupported media type: ${contentType ?? ''}: expected one of \`${JSON_TYPE}\`, \`${FORM_TYPE}\``,
        ),
      );
      return;
    }
    res.locals.texasEncoding = encoding;
    parsers[encoding](req, res, (err?: unknown) => {
      if (err) {
        next(bodyError(err, limit, encoding));
        return;
      }
      if (req.body === undefined && encoding === 'json') {
        next(invalidRequest('Failed to parse the request body as JSON: the body is empty'));
        return;
      }
      next();
    });
  };
}
