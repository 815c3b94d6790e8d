/**
 * The few HTML helpers the emails and the decision pages share. Everything that came from a person
 * (titles, summaries, names, comments) goes through `escapeHtml` before it is put into markup; URLs
 * go through `safeUrl` first. Nothing here emits script, event handlers or meta refresh.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values (every attribute here is quoted). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Only absolute http(s) URLs or same-site paths ('/…', not '//…') go into links and form actions. */
export function safeUrl(url: string, what: string): string {
  if (/^\/(?!\/)/.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${what} must be an http(s) URL or an absolute path, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`${what} must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return parsed.href;
}

/** One line of plain text: no line breaks, trimmed (for subjects and labels). */
export function oneLine(value: string): string {
  return value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Cuts text to at most `max` characters, on a word boundary where one is near, marking the cut with '…'. */
export function shorten(value: string, max: number): string {
  const s = value.trim();
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const space = cut.search(/\s\S*$/);
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const BASE_STYLE = `
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0;padding:24px;line-height:1.45}
main{max-width:720px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:24px}
h1{font-size:1.35em;margin:0 0 12px}
table.summary{border-collapse:collapse;width:100%;margin:12px 0}
table.summary th{text-align:left;vertical-align:top;padding:6px 12px 6px 0;width:28%;color:#57606a;font-weight:600}
table.summary td{vertical-align:top;padding:6px 0}
table.summary ul{margin:0;padding-left:18px}
.pre{white-space:pre-wrap}
.notice{padding:10px 12px;border-radius:6px;background:#fff8c5;border:1px solid #d4a72c;margin:12px 0}
.done{background:#dafbe1;border-color:#4ac26b}
.refused{background:#ffebe9;border-color:#ff8182}
textarea{width:100%;box-sizing:border-box;min-height:6em;font:inherit}
button{font:inherit;font-weight:600;padding:10px 18px;border-radius:6px;border:1px solid #1f883d;background:#1f883d;color:#fff;cursor:pointer}
button.reject{background:#cf222e;border-color:#cf222e}
.muted{color:#57606a;font-size:.9em}
`;

/** A complete HTML page: no script, no meta refresh, no external resources. */
export function htmlDocument(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${BASE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}
