import { describe, expect, it } from 'vitest';
import { answerSummary, normaliseAnswer } from '../../functions/lib/approval/normalise.js';
import {
  approvalLinks,
  newApprovalId,
  signApproval,
  verifyApproval,
} from '../../functions/lib/approval/token.js';

const KEY = 'k'.repeat(64);
const NOW = new Date('2026-03-01T10:00:00Z');
const EXPIRES = Math.floor(NOW.getTime() / 1000) + 1800;
const ID = 'AbCdEfGhIjKlMnOpQrStUv';

const params = (overrides: Record<string, string> = {}) => ({
  id: ID,
  decision: 'approve',
  expires: String(EXPIRES),
  sig: signApproval(KEY, { id: ID, decision: 'approve', expires: EXPIRES }),
  ...overrides,
});

describe('approval tokens', () => {
  it('accepts a link it signed until it expires', () => {
    // Act
    const check = verifyApproval(KEY, params(), NOW);

    // Assess
    expect(check).toEqual({ ok: true, token: { id: ID, decision: 'approve', expires: EXPIRES } });
  });

  it('refuses a link whose decision was changed (approve signature, reject decision)', () => {
    // Act
    const check = verifyApproval(KEY, params({ decision: 'reject' }), NOW);

    // Assess
    expect(check).toMatchObject({ ok: false, problem: 'forged' });
  });

  it.each([
    ['id', { id: 'ZZCdEfGhIjKlMnOpQrStUv' }],
    ['expiry', { expires: String(EXPIRES + 3600) }],
    ['signature', { sig: 'f'.repeat(64) }],
  ])('refuses a link whose %s was tampered with', (_what, tampered) => {
    expect(verifyApproval(KEY, params(tampered), NOW)).toMatchObject({
      ok: false,
      problem: 'forged',
    });
  });

  it('refuses a link signed with another key', () => {
    expect(verifyApproval('x'.repeat(64), params(), NOW)).toMatchObject({ problem: 'forged' });
  });

  it('refuses an expired link, from the second it expires', () => {
    // Act
    const atExpiry = verifyApproval(KEY, params(), new Date(EXPIRES * 1000));
    const before = verifyApproval(KEY, params(), new Date(EXPIRES * 1000 - 1));

    // Assess
    expect(atExpiry).toMatchObject({ ok: false, problem: 'expired' });
    expect(before.ok).toBe(true);
  });

  it.each([
    ['no id', { id: '' }],
    ['an odd id', { id: 'a b<c>' }],
    ['an unknown decision', { decision: 'maybe' }],
    ['no expiry', { expires: '' }],
    ['a non-numeric expiry', { expires: '1e9' }],
    ['a short signature', { sig: 'abc' }],
    ['an upper-case signature', { sig: 'A'.repeat(64) }],
  ])('reports a link with %s as malformed', (_what, broken) => {
    expect(verifyApproval(KEY, params(broken), NOW)).toMatchObject({
      ok: false,
      problem: 'malformed',
    });
  });

  it('reports missing parameters as malformed', () => {
    expect(verifyApproval(KEY, {}, NOW)).toMatchObject({ ok: false, problem: 'malformed' });
  });

  it('builds approve and reject links on the endpoint that verify', () => {
    // Act
    const links = approvalLinks('https://abc.lambda-url.us-east-1.on.aws/', KEY, ID, EXPIRES);

    // Assess
    for (const decision of ['approve', 'reject'] as const) {
      const url = new URL(links[decision]);
      expect(url.origin).toBe('https://abc.lambda-url.us-east-1.on.aws');
      const query = Object.fromEntries(url.searchParams);
      expect(query).toMatchObject({ id: ID, decision, expires: String(EXPIRES) });
      expect(verifyApproval(KEY, query, NOW)).toEqual({
        ok: true,
        token: { id: ID, decision, expires: EXPIRES },
      });
    }
  });

  it('makes unguessable, URL-safe ids', () => {
    const ids = new Set(Array.from({ length: 50 }, newApprovalId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('normaliseAnswer', () => {
  it.each([
    [{ decision: 'approve' }, true],
    [{ decision: 'approved' }, true],
    [{ decision: ' YES ' }, true],
    [{ decision: 'true' }, true],
    [{ decision: true }, true],
    [{ approved: true }, true],
    ['approve', true],
    [{ decision: 'reject' }, false],
    [{ decision: 'Rejected' }, false],
    [{ decision: 'no' }, false],
    [{ decision: false }, false],
    [{ approved: false }, false],
  ])('reads %j as approved=%s', (answer, approved) => {
    // Act
    const normalised = normaliseAnswer(answer);

    // Assess
    expect(normalised).toMatchObject({ approved, understood: true });
  });

  it.each([
    [{ decision: 'sure, go ahead' }],
    [{ decision: 1 }],
    [{ by: 'Ana' }],
    [{}],
    [null],
    [undefined],
    [[{ decision: 'approve' }]],
    [42],
  ])('takes %j as a rejection it did not understand (the safe default)', (answer) => {
    // Act
    const normalised = normaliseAnswer(answer);

    // Assess
    expect(normalised.approved).toBe(false);
    expect(normalised.understood).toBe(false);
    expect(normalised.reason).toMatch(/^the answer was not understood/);
  });

  it('defaults who to unknown and how to cli, and keeps the reason', () => {
    expect(normaliseAnswer({ decision: 'approve', reason: 'primary is hung' })).toEqual({
      approved: true,
      by: 'unknown',
      via: 'cli',
      reason: 'primary is hung',
      understood: true,
    });
  });

  it('cleans and caps what a person typed', () => {
    // Act
    const normalised = normaliseAnswer({
      decision: 'reject',
      by: `  Bob\n\u0000 ${'x'.repeat(300)}`,
      reason: 'r'.repeat(2000),
      via: 'link',
    });

    // Assess
    expect(normalised.by.startsWith('Bob x')).toBe(true);
    expect(normalised.by.length).toBeLessThanOrEqual(100);
    expect(normalised.reason?.length).toBeLessThanOrEqual(500);
    expect(normalised.via).toBe('link');
  });

  it('says who decided, how and why in one sentence', () => {
    expect(
      answerSummary(
        normaliseAnswer({ decision: 'approve', by: 'Ana', via: 'link', reason: 'primary is hung' }),
      ),
    ).toBe('approved by Ana via link: primary is hung');
    expect(
      answerSummary(normaliseAnswer({ decision: 'reject', by: 'Bob', reason: 'wait for AWS' })),
    ).toBe('rejected by Bob via cli: wait for AWS');
    expect(answerSummary(normaliseAnswer({ decision: 'no', by: 'Bob' }))).toBe(
      'rejected by Bob via cli',
    );
  });
});
