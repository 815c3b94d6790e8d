/**
 * Local email: the SMTP transport ChangeFlow sends with on this machine, and the mail catcher that
 * `npm start` runs, where the emails can be read and their links clicked.
 *
 * The catcher is our own small one, on `smtp-server` + `mailparser` and `node:http`, rather than
 * maildev 3: maildev starts and catches mail on Node 20, but its UI shows an email inside an iframe
 * sandboxed without `allow-forms`/`allow-top-navigation`, so a link clicked there loads inside that
 * frame, where the approval confirmation page refuses to be framed (X-Frame-Options: DENY,
 * frame-ancestors 'none' against clickjacking) and its form could not be submitted anyway. Here each
 * email is shown as a page of its own, so its approve/reject links open as ordinary top-level pages.
 *
 * Both servers bind to 127.0.0.1 only. Every message is kept as an `.eml` file in `dataDir` and read
 * back at the next start.
 *
 * Web:  GET /                 list of messages (newest first)
 *       GET /messages/:id     the email's HTML, with a header bar; links work as in a mail client
 *       GET /messages/:id/text, /messages/:id/raw
 *       GET /api/email        JSON: [{ id, receivedAt, from, to, subject, text, html }] (oldest first)
 *       DELETE /api/email     removes every message
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { EmailMessage, Mailer } from '../functions/ports.js';

export const LOOPBACK = '127.0.0.1';
export const DEFAULT_SMTP_PORT = 1025;
export const DEFAULT_WEB_PORT = 1080;
/** Largest message the catcher accepts. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// transport

export interface SmtpMailerOptions {
  port: number;
  host?: string | undefined;
  /** The From header; `ChangeFlow <changeflow@localhost>` by default. */
  from?: string | undefined;
  /** Keep connections open and reuse them (much faster for bursts of mail). Default true. */
  pool?: boolean | undefined;
  maxConnections?: number | undefined;
}

/**
 * Sends through plain SMTP without TLS or auth: meant for the local catcher on loopback only.
 * Call `close()` when done, or the pooled connections keep the process alive.
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(options: SmtpMailerOptions) {
    this.from = options.from ?? 'ChangeFlow <changeflow@localhost>';
    this.transport = nodemailer.createTransport({
      host: options.host ?? LOOPBACK,
      port: options.port,
      secure: false,
      ignoreTLS: true,
      pool: options.pool ?? true,
      maxConnections: options.maxConnections ?? 5,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: EmailMessage): Promise<void> {
    if (message.to.length === 0) throw new RangeError('an email needs at least one recipient');
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
  }

  close(): void {
    this.transport.close();
  }
}

// ---------------------------------------------------------------------------------------------
// catcher

export interface CaughtEmail {
  id: string;
  receivedAt: string;
  from: string;
  /** The envelope recipients: who the message was actually delivered to. */
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailCatcherOptions {
  /** 0 for a free port. Default 1025. */
  smtpPort?: number | undefined;
  /** 0 for a free port. Default 1080. */
  webPort?: number | undefined;
  /** Where the `.eml` files are kept; created if missing. */
  dataDir: string;
}

export interface RunningMailCatcher {
  smtpPort: number;
  webPort: number;
  /** The page to open in a browser, e.g. http://127.0.0.1:1080/ */
  webUrl: string;
  /** Every message caught, oldest first. */
  messages(): Promise<CaughtEmail[]>;
  /** Resolves with the first message (already caught or arriving) that matches; rejects after `timeoutMs`. */
  waitFor(predicate: (m: CaughtEmail) => boolean, timeoutMs?: number): Promise<CaughtEmail>;
  /** Removes every message, files included. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

const ENVELOPE_HEADER = 'X-Catcher-Envelope-To';
const RECEIVED_HEADER = 'X-Catcher-Received-At';
const ID_PATTERN = /^[a-z0-9]+-[a-f0-9]{6}$/;

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? '').filter(Boolean));
}

async function parseEml(id: string, raw: Buffer): Promise<CaughtEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const envelope = mail.headers.get(ENVELOPE_HEADER.toLowerCase());
  const received = mail.headers.get(RECEIVED_HEADER.toLowerCase());
  const to =
    typeof envelope === 'string' && envelope.trim()
      ? envelope
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [...addresses(mail.to), ...addresses(mail.cc), ...addresses(mail.bcc)];
  return {
    id,
    receivedAt: typeof received === 'string' ? received : (mail.date ?? new Date()).toISOString(),
    from: mail.from?.text ?? '',
    to,
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
  };
}

function listen(server: Pick<import('node:net').Server, 'listen' | 'once' | 'removeListener'>, port: number): Promise<void> {
  return new Promise((resolveListen, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.removeListener('error', onError);
      resolveListen();
    });
    server.listen(port, LOOPBACK);
  });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Pages of the catcher: no script anywhere, never cached, no Referer sent when a link is followed. */
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
};

const LIST_STYLE =
  'body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse;width:100%}' +
  'th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d0d7de;vertical-align:top}th{color:#57606a}a{color:#0969da}';

function listPage(messages: CaughtEmail[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${esc(m.receivedAt)}</td><td>${esc(m.to.join(', '))}</td>` +
        `<td><a href="/messages/${esc(m.id)}">${esc(m.subject || '(no subject)')}</a></td>` +
        `<td><a href="/messages/${esc(m.id)}/text">text</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ChangeFlow mail catcher</title><style>${LIST_STYLE}</style></head><body>
<h1>ChangeFlow mail catcher</h1>
<p>${messages.length} message${messages.length === 1 ? '' : 's'}, newest first. Reload the page to see new mail. Open a message to read it and click its links.</p>
<table><thead><tr><th>Received (UTC)</th><th>To</th><th>Subject</th><th></th></tr></thead><tbody>
${rows || '<tr><td colspan="4">No mail yet.</td></tr>'}
</tbody></table></body></html>`;
}

function messagePage(m: CaughtEmail): string {
  const bar =
    `<div style="font:14px system-ui,sans-serif;background:#24292f;color:#fff;padding:10px 14px;margin:0 0 12px">` +
    `<a href="/" style="color:#fff">&larr; All messages</a> &middot; <a href="/messages/${esc(m.id)}/text" style="color:#fff">Text</a> &middot; ` +
    `<a href="/messages/${esc(m.id)}/raw" style="color:#fff">Raw</a><br>` +
    `From: ${esc(m.from)}<br>To: ${esc(m.to.join(', '))}<br>Subject: ${esc(m.subject)}<br>Received: ${esc(m.receivedAt)}</div>`;
  const html = m.html || `<pre style="white-space:pre-wrap">${esc(m.text)}</pre>`;
  return /<body[^>]*>/i.test(html) ? html.replace(/<body[^>]*>/i, (b) => `${b}\n${bar}`) : `${bar}\n${html}`;
}

/** Starts the catcher on 127.0.0.1. Ports 0 take free ones; see `smtpPort`/`webPort` on the result. */
export async function startMailCatcher(options: MailCatcherOptions): Promise<RunningMailCatcher> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const messages: CaughtEmail[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);

  for (const file of (await readdir(dataDir)).filter((f) => f.endsWith('.eml')).sort()) {
    const id = file.slice(0, -4);
    if (!ID_PATTERN.test(id)) continue;
    try {
      messages.push(await parseEml(id, await readFile(join(dataDir, file))));
    } catch {
      // A damaged file is skipped, not fatal.
    }
  }

  const smtp = new SMTPServer({
    banner: 'ChangeFlow mail catcher',
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: MAX_MESSAGE_BYTES,
    closeTimeout: 250,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        const head = `${ENVELOPE_HEADER}: ${to.replace(/[\r\n]/g, '')}\r\n${RECEIVED_HEADER}: ${new Date().toISOString()}\r\n`;
        const raw = Buffer.concat([Buffer.from(head, 'ascii'), ...chunks]);
        writeFile(join(dataDir, `${id}.eml`), raw)
          .then(() => parseEml(id, raw))
          .then((m) => {
            messages.push(m);
            events.emit('message', m);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  smtp.on('error', () => {
    // A broken client connection is not the catcher's problem.
  });

  const web: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, ...PAGE_HEADERS, ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const path = new URL(req.url ?? '/', 'http://catcher').pathname;
    if (req.method === 'DELETE' && path === '/api/email') {
      clear().then(
        () => send(200, 'application/json', '{"deleted":true}'),
        (err: Error) => send(500, 'text/plain; charset=utf-8', err.message),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed', { Allow: 'GET, HEAD, DELETE' });
    if (path === '/') return send(200, 'text/html; charset=utf-8', listPage(messages));
    if (path === '/api/email') return send(200, 'application/json; charset=utf-8', JSON.stringify(messages));
    const m = /^\/messages\/([a-z0-9-]+)(\/text|\/raw)?$/.exec(path);
    const msg = m ? messages.find((x) => x.id === m[1]) : undefined;
    if (!m || !msg) return send(404, 'text/plain; charset=utf-8', 'no such message');
    if (m[2] === '/text') return send(200, 'text/plain; charset=utf-8', msg.text);
    if (m[2] === '/raw') {
      readFile(join(dataDir, `${msg.id}.eml`), 'utf8').then(
        (raw) => send(200, 'text/plain; charset=utf-8', raw),
        () => send(404, 'text/plain; charset=utf-8', 'file gone'),
      );
      return;
    }
    return send(200, 'text/html; charset=utf-8', messagePage(msg));
  });

  async function clear(): Promise<void> {
    const ids = messages.splice(0, messages.length).map((x) => x.id);
    await Promise.all(ids.map((id) => rm(join(dataDir, `${id}.eml`), { force: true })));
  }

  await listen(smtp.server, options.smtpPort ?? DEFAULT_SMTP_PORT);
  try {
    await listen(web, options.webPort ?? DEFAULT_WEB_PORT);
  } catch (err) {
    await new Promise<void>((r) => smtp.close(() => r()));
    throw err;
  }
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const webPort = (web.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    smtpPort,
    webPort,
    webUrl: `http://${LOOPBACK}:${webPort}/`,
    messages: async () => messages.map((x) => ({ ...x, to: [...x.to] })),
    waitFor(predicate, timeoutMs = 5_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolveWait, reject) => {
        const onMessage = (x: CaughtEmail) => {
          if (!predicate(x)) return;
          clearTimeout(timer);
          events.off('message', onMessage);
          resolveWait(x);
        };
        const timer = setTimeout(() => {
          events.off('message', onMessage);
          reject(new Error(`no matching email within ${timeoutMs} ms`));
        }, timeoutMs);
        events.on('message', onMessage);
      });
    },
    clear,
    stop() {
      stopped ??= Promise.all([
        new Promise<void>((r) => {
          // Tell pooled clients to go, rather than wait for the close timeout.
          for (const c of smtp.connections) {
            c.send(421, 'Server shutting down');
            c.close();
          }
          smtp.close(() => r());
        }),
        new Promise<void>((r) => {
          web.close(() => r());
          web.closeAllConnections();
        }),
      ]).then(() => undefined);
      return stopped;
    },
  };
}
