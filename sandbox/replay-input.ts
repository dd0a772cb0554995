/**
 * The events in one replay input file, in the shapes people export them: one event (a JSON
 * object, e.g. a fixture or an archived event), a JSON array of events, JSON Lines (one event
 * per line, e.g. a log export), or the output of `aws logs filter-log-events` /
 * `get-log-events` (`{"events": [{"message": "<event JSON>"}, …]}`).
 */

export interface InputItem {
  /** Where the event sits in its file (`line 3`, `item 2`, `log event 4`); null: the whole file. */
  readonly position: string | null;
  /** The parsed JSON value, or why the text is not one. */
  readonly value:
    | { readonly ok: true; readonly json: unknown }
    | { readonly ok: false; readonly error: string };
}

const parsed = (text: string): InputItem['value'] => {
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{"events": [{"message": "…"}]}`: what the CloudWatch Logs CLI prints. */
const logMessages = (value: unknown): string[] | undefined => {
  if (!isRecord(value) || !Array.isArray(value.events) || value.events.length === 0)
    return undefined;
  const messages = value.events.map((event) => (isRecord(event) ? event.message : undefined));
  return messages.every((message) => typeof message === 'string') ? messages : undefined;
};

export const readEvents = (text: string): InputItem[] => {
  const whole = parsed(text);
  if (whole.ok) {
    const { json } = whole;
    if (Array.isArray(json)) {
      if (json.length === 0)
        return [{ position: null, value: { ok: false, error: 'an empty JSON array: no events' } }];
      return json.map((item, index) => ({
        position: `item ${index + 1}`,
        value: { ok: true, json: item },
      }));
    }
    const messages = logMessages(json);
    if (messages !== undefined) {
      return messages.map((message, index) => ({
        position: `log event ${index + 1}`,
        value: parsed(message),
      }));
    }
    return [{ position: null, value: whole }];
  }
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '');
  // JSON Lines when there are several lines and the first one is JSON by itself.
  if (lines.length < 2 || !parsed(lines[0]?.line ?? '').ok)
    return [{ position: null, value: whole }];
  return lines.map(({ line, number }) => ({ position: `line ${number}`, value: parsed(line) }));
};
