/**
 * The approval-request email (issue 3 §4). Pure: the caller signs the two links
 * (core/approval-link.ts) and sends the message through a `Mailer`.
 *
 * The email carries exactly two links, approve and reject. Each opens a confirmation page
 * (pages.ts) that decides nothing; a mail scanner that fetches them changes nothing. All text that
 * came from a person is HTML-escaped; the email has no script and no remote content.
 */
import type { ApprovalSlot, ChangeRequest, Person } from '../core/change-request.js';
import type { EmailMessage } from '../ports.js';
import { escapeHtml, htmlDocument, oneLine, safeUrl } from './html.js';
import { ROLE_LABELS, summaryFields, summaryHtml, summaryText } from './summary.js';

export { confirmationPage, confirmationPage as decisionPage, outcomePage, pageHeaders, resultPage } from './pages.js';

export interface ApprovalRequestInput {
  cr: ChangeRequest;
  slot: ApprovalSlot;
  approver: Person;
  approveUrl: string;
  /** Absent for the post-approval of an emergency change: the work is done, what is asked is the sign-off. */
  rejectUrl?: string | undefined;
  /** A reminder of a request already sent. */
  reminder?: boolean | undefined;
  /** Sent to the next role up because nobody decided in time. */
  escalated?: boolean | undefined;
  /** When the links stop working (ISO); shown to the approver. */
  expiresAt?: string | undefined;
  /** The organisation's IANA time zone, to show the window in local time as well as UTC. */
  timeZone?: string | undefined;
}

export type RenderedEmail = Pick<EmailMessage, 'subject' | 'text' | 'html'>;

export function approvalRequestEmail(input: ApprovalRequestInput): RenderedEmail {
  const { cr, slot, approver, reminder = false, escalated = false } = input;
  const approveUrl = safeUrl(input.approveUrl, 'approveUrl');
  const rejectUrl = input.rejectUrl === undefined ? undefined : safeUrl(input.rejectUrl, 'rejectUrl');
  const role = ROLE_LABELS[slot.slot];
  const title = oneLine(cr.content.title);
  const post = cr.approvalRequirement?.route === 'post-approval';

  const what = post ? 'post-approval needed' : 'approval needed';
  const prefix = escalated
    ? post
      ? `OVERDUE: ${what}`
      : `Escalated: ${what}`
    : reminder
      ? `Reminder: ${what}`
      : post
        ? 'Post-approval needed'
        : 'Approval needed';
  const subject = oneLine(`[ChangeFlow] ${prefix}: ${cr.id} ${title}`);

  const intro = [
    `Hello ${approver.name},`,
    '',
    post
      ? `${cr.requestor.name} started the emergency change ${cr.id}: ${title}. It is post-approved by ${role} or above${cr.postApproval ? ` by ${cr.postApproval.dueAt}` : ''}.`
      : `${cr.requestor.name} asks for the ${role} approval of ${cr.id} (revision ${cr.revision}): ${title}.`,
    `Why this approval is required: ${slot.reason}.`,
  ];
  if (reminder) intro.push('This is a reminder: the approval is still pending.');
  if (escalated) intro.push(`Nobody decided in time, so this approval now comes to you as ${role} or above.`);

  const fields = summaryFields(cr, { slot: slot.slot, timeZone: input.timeZone });
  const footer = [
    'Each link opens a confirmation page; nothing is decided until you press the button on that page.',
    `The links are for ${approver.name} <${approver.email}> only and for revision ${cr.revision}; a new revision replaces them.`,
    ...(input.expiresAt ? [`They expire at ${input.expiresAt}.`] : []),
  ];

  const links = [`${post ? 'Post-approve' : 'Approve'}: ${approveUrl}`, ...(rejectUrl ? [`Reject: ${rejectUrl}`] : [])];
  const text = [...intro, '', summaryText(fields), '', ...links, '', ...footer, '', '— ChangeFlow', ''].join('\n');

  const button = (href: string, label: string, color: string) =>
    `<a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 18px;margin:0 8px 8px 0;border-radius:6px;background:${color};color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(label)}</a>`;

  const html = htmlDocument(
    subject,
    [
      `<h1>${escapeHtml(`${prefix}: ${cr.id}`)}</h1>`,
      ...intro.filter((l) => l !== '').map((l) => `<p>${escapeHtml(l)}</p>`),
      summaryHtml(fields),
      `<p>${button(approveUrl, `${post ? 'Post-approve' : 'Approve'} ${cr.id}`, '#1f883d')}${rejectUrl ? button(rejectUrl, `Reject ${cr.id}`, '#cf222e') : ''}</p>`,
      ...footer.map((l) => `<p class="muted" style="color:#57606a;font-size:.9em">${escapeHtml(l)}</p>`),
    ].join('\n'),
  );

  return { subject, text, html };
}
