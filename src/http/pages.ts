/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328;padding:16px}
main{background:#fff;max-width:28rem;width:100%;padding:2rem;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}p{margin:0 0 1rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}
a.button{display:inline-block;padding:.6rem 1.1rem;border-radius:8px;background:#0b5cad;color:#fff;text-decoration:none;font-weight:600}
a.secondary{background:#e8eaed;color:#1f2328}
.ref{color:#6a737d;font-size:.8rem;margin-top:1.5rem;word-break:break-all}`;

/** A link shown as a button on a page. */
export interface PageAction {
  readonly label: string;
  readonly href: string;
  readonly secondary?: boolean;
}

/** A short page readable on a phone: a title, a sentence or two, actions and a reference id. */
export function renderPage(options: {
  title: string;
  message: string;
  actions?: readonly PageAction[];
  correlationId?: string | undefined;
}): string {
  const actions = (options.actions ?? [])
    .map(
      (a) =>
        `<a class="button${a.secondary ? ' secondary' : ''}" href="${escapeHtml(a.href)}">${escapeHtml(a.label)}</a>`,
    )
    .join('');
  const ref = options.correlationId
    ? `<p class="ref">Reference: <code>${escapeHtml(options.correlationId)}</code></p>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(options.title)}</h1><p>${escapeHtml(options.message)}</p>${actions ? `<div class="actions">${actions}</div>` : ''}${ref}</main></body></html>`;
}
