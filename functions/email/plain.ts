/** A plain notice: lines of text, the same lines as escaped HTML paragraphs, no script. */
import type { EmailMessage } from '../ports.js';
import { escapeHtml } from './html.js';

export function plainEmail(to: string[], subject: string, lines: string[]): EmailMessage {
  const body = lines.filter(Boolean);
  return {
    to: [...new Set(to.filter(Boolean))],
    subject,
    text: `${body.join('\n')}\n\n— ChangeFlow`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${body.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p>— ChangeFlow</p></body></html>`,
  };
}
