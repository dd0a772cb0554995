import { formatUtc } from '../core/alerts/text.js';
import { MAX_BY, MAX_REASON } from './normalise.js';
import type { ApprovalRecord } from './ports.js';
import type { ApprovalToken } from './token.js';

/**
 * The approval endpoint's HTML pages: small, self-contained (no script, inline style only), every
 * value escaped. Pure: the handler adds the HTTP headers.
 */

export interface Page {
  readonly statusCode: number;
  readonly body: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside HTML elements and double-quoted attributes. */
export const escapeHtml = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
  'dt{font-weight:600}dd{margin:0 0 .5rem}label{display:block;margin-top:1rem;font-weight:600}' +
  'input[type=text],textarea{width:100%;box-sizing:border-box;padding:.4rem}' +
  'button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}';

const layout = (statusCode: number, title: string, content: string): Page => ({
  statusCode,
  body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} - Rebound</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${content}
</body>
</html>
`,
});

/** A page that only tells: errors, confirmations. */
export const messagePage = (statusCode: number, title: string, lines: readonly string[]): Page =>
  layout(statusCode, title, lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'));

const VERB = { approve: 'Approve', reject: 'Reject' } as const;

export interface ConfirmView {
  readonly record: ApprovalRecord;
  readonly token: ApprovalToken;
  readonly sig: string;
  /** Where the form posts: the endpoint itself. */
  readonly formAction: string;
  /** Shown above the form after a rejected submission (e.g. no name). */
  readonly error?: string;
  /** Values to keep after a rejected submission. */
  readonly by?: string;
  readonly reason?: string;
}

/**
 * GET: what the request is about and a form to confirm. Showing it changes nothing: mail
 * scanners open links before people do.
 */
export const confirmPage = (view: ConfirmView): Page => {
  const { record, token } = view;
  const verb = VERB[token.decision];
  const hidden = (name: string, value: string | number) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const content = `<p>Runbook <strong>${escapeHtml(record.runbook)}</strong> asks for approval to:</p>
<p><strong>${escapeHtml(record.action)}</strong></p>
<dl>
<dt>Incident</dt><dd>${escapeHtml(record.incidentId)}</dd>
<dt>Target</dt><dd>${escapeHtml(record.target.type)} ${escapeHtml(record.target.id)}</dd>
<dt>Execution</dt><dd>${escapeHtml(record.executionName)}</dd>
<dt>Expires</dt><dd>${escapeHtml(formatUtc(token.expires))}; without an answer nothing is done and the run escalates.</dd>
</dl>
${view.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(view.error)}</p>`}
<form method="post" action="${escapeHtml(view.formAction)}">
${hidden('id', token.id)}
${hidden('decision', token.decision)}
${hidden('expires', token.expires)}
${hidden('sig', view.sig)}
<label for="by">Your name</label>
<input type="text" id="by" name="by" required maxlength="${MAX_BY}" autocomplete="name" value="${escapeHtml(view.by ?? '')}">
<label for="reason">Reason (optional)</label>
<textarea id="reason" name="reason" rows="3" maxlength="${MAX_REASON}">${escapeHtml(view.reason ?? '')}</textarea>
<button type="submit">Confirm: ${verb.toLowerCase()}</button>
</form>
<p>Nothing happens until you confirm. Your name, the time and your reason go on the incident timeline.</p>`;
  return layout(view.error === undefined ? 200 : 400, `${verb}: ${record.runbook}`, content);
};
