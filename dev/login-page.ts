import type http from 'node:http';
import { escapeHtml } from '../src/http/pages.js';
import type { DevUser } from './test-users.js';

/** The development provider's sign-in page; it lists the test users and their passwords. */
export function renderLoginPage(uid: string, users: readonly DevUser[], error: string | undefined): string {
  const rows = users
    .map(
      (u) =>
        `<tr><td><code>${escapeHtml(u.username)}</code></td><td><code>${escapeHtml(u.password)}</code></td><td>${escapeHtml(String(u.claims.name ?? ''))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · development identity provider</title><style>
body{font:16px/1.5 system-ui,sans-serif;background:#eef1f5;margin:0;padding:16px;display:flex;justify-content:center}
main{background:#fff;max-width:26rem;width:100%;padding:1.75rem;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.3rem;margin:0 0 .25rem}.note{color:#6a737d;font-size:.85rem;margin:0 0 1.25rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input{width:100%;padding:.55rem;font-size:1rem;border:1px solid #c9ced6;border-radius:6px;box-sizing:border-box}
button{margin-top:1.25rem;width:100%;padding:.65rem;font-size:1rem;font-weight:600;background:#0b5cad;color:#fff;border:0;border-radius:8px;cursor:pointer}
.error{background:#fde8e8;color:#8a1c1c;padding:.5rem .75rem;border-radius:6px}table{width:100%;border-collapse:collapse;margin-top:1.5rem;font-size:.85rem}
td,th{text-align:left;padding:.3rem;border-top:1px solid #eee}</style></head><body><main>
<h1>Sign in</h1><p class="note">Development identity provider — test users only.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
<table><thead><tr><th>Username</th><th>Password</th><th>Name</th></tr></thead><tbody>${rows}</tbody></table>
</main></body></html>`;
}

/** Reads a small urlencoded form body (the login form); a body over 10 kB ends the request. */
export function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}
