import type { IncomingMessage } from 'node:http';

/** Why a form body was refused. */
export type FormRefusal = 'too_large' | 'not_form' | 'aborted';

/** A form body, or why there is none. */
export type FormResult =
  { readonly ok: true; readonly form: URLSearchParams } | { readonly ok: false; readonly why: FormRefusal };

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * Reads an `application/x-www-form-urlencoded` body of at most `limit` bytes. A
 * larger body (by Content-Length, or as it arrives) is refused without reading the
 * rest; another content type is refused before reading anything.
 */
export function readForm(req: IncomingMessage, limit: number): Promise<FormResult> {
  if (!FORM.test(req.headers['content-type'] ?? '')) return Promise.resolve({ ok: false, why: 'not_form' });
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.resolve({ ok: false, why: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: FormResult) => {
      if (done) return;
      done = true;
      req.removeAllListeners('data');
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish({ ok: false, why: 'too_large' });
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) }));
    req.on('error', () => finish({ ok: false, why: 'aborted' }));
    req.on('aborted', () => finish({ ok: false, why: 'aborted' }));
  });
}
