import { describe, expect, it } from 'vitest';
import {
  functionsMissingGoals,
  GOALS,
  type LoadRow,
  loadTable,
  maxLoadRatioOf,
  median,
  throughputLine,
} from '../../sandbox/bench/goals.js';

/** `npm run bench`'s verdicts and table: the goals of issue 13, applied to measured figures. */

const empty: LoadRow = {
  name: '(empty handler)',
  bundleKb: 0,
  firstEventKb: 0,
  wholeEventKb: 0,
  shippedKb: 0,
  loadMs: 40,
  firstEventMs: 40,
  wholeEventMs: 40,
  cpuMs: 30,
  goal: false,
};
/** A function without chunks: its first event loads nothing more. */
const row = (name: string, bundleKb: number, loadMs: number): LoadRow => ({
  name,
  bundleKb,
  firstEventKb: bundleKb,
  wholeEventKb: bundleKb,
  shippedKb: bundleKb,
  loadMs,
  firstEventMs: loadMs,
  wholeEventMs: loadMs,
  cpuMs: loadMs / 2,
  goal: true,
});

describe('bench goals', () => {
  it('takes the middle value, or the mean of the two middle values, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of no values');
  });

  it('holds triage to 2.0× the empty handler and every other function to 3.0×', () => {
    expect(maxLoadRatioOf('triage')).toBe(GOALS.maxTriageLoadRatio);
    expect(GOALS.maxTriageLoadRatio).toBe(2);
    expect(maxLoadRatioOf('runbook-scale-out')).toBe(3);
  });

  it('names the functions over the bundle size or their load ratio, never a reference row', () => {
    // Prepare: 40 ms empty; triage at 2.5× misses its 2.0×, scale-out at 2.5× meets 3.0×.
    const rows = [
      empty,
      { ...row('(naive)', 900, 400), goal: false },
      row('triage', 300, 100),
      row('runbook-scale-out', 300, 100),
      row('approvals', 501, 80),
      row('runbook-report', 500, 120),
    ];

    // Act
    const missing = functionsMissingGoals(rows, empty);

    // Assess
    expect(missing).toEqual(['triage', 'approvals']);
  });

  it('prints one line per row with the ratios to the empty handler and pass/FAIL columns', () => {
    // Act
    const triage = {
      ...row('triage', 28.4, 60),
      firstEventKb: 590.2,
      wholeEventKb: 610.4,
      shippedKb: 797,
      firstEventMs: 180,
      wholeEventMs: 200,
    };
    const lines = loadTable([empty, triage, row('approvals', 446, 100)], empty);

    // Assess: split on runs of spaces; the reference row has no verdicts.
    const cells = lines.map((text) => text.split(/\s{2,}/));
    expect(cells[0]).toEqual([
      'function',
      'bundle',
      '≤500 KB',
      'load',
      '× empty',
      'goal',
      'load ok',
      'CPU × empty',
      '+ first alert',
      'load + first alert',
      '× empty',
      'whole first event',
      '× empty',
      'shipped',
    ]);
    expect(cells[1]).toEqual([
      '(empty handler)',
      '0 KB',
      '40.0 ms',
      '1.00×',
      '1.00×',
      '0 KB',
      '40.0 ms',
      '1.00×',
      '40.0 ms',
      '1.00×',
      '0 KB',
    ]);
    // The cold load meets the goal; what the first alert then loads is printed beside it, and
    // the whole first event (with what it loads after the alert, and its size since it differs).
    expect(cells[2]).toEqual([
      'triage',
      '28 KB',
      'pass',
      '60.0 ms',
      '1.50×',
      '≤2.0',
      'pass',
      '1.00×',
      '590 KB',
      '180.0 ms',
      '4.50×',
      '200.0 ms (610 KB)',
      '5.00×',
      '797 KB',
    ]);
    expect(cells[3]).toEqual([
      'approvals',
      '446 KB',
      'pass',
      '100.0 ms',
      '2.50×',
      '≤3.0',
      'pass',
      '1.67×',
      '446 KB',
      '100.0 ms',
      '2.50×',
      '100.0 ms',
      '2.50×',
      '446 KB',
    ]);
  });

  it('prints the throughput with its verdict beside the floor', () => {
    expect(throughputLine(8200, 4999, 30000)).toBe(
      'triage core: 4999 events/s (8200 events; goal ≥5000: FAIL); floor, reading and JSON-parsing the same events: 30000 events/s',
    );
    expect(throughputLine(8200, 5000, 30000)).toContain('goal ≥5000: pass');
  });
});
