import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type EndpointDeps, handleEndpointRequest } from '../../functions/lib/approval/answer.js';
import { MemoryApprovalStore } from '../../functions/lib/approval/memory-approval-store.js';
import type { ApprovalRecord } from '../../functions/lib/approval/ports.js';
import { signApproval } from '../../functions/lib/approval/token.js';
import { approvalItemKey } from '../../functions/lib/aws/dynamodb-approval-store.js';
import { secretsManagerSigningKey } from '../../functions/lib/aws/secrets-manager-signing-key.js';
import { SfnTaskAnswerer } from '../../functions/lib/aws/sfn-task-answerer.js';

const KEY = 'k'.repeat(64);
const NOW = new Date('2026-03-01T10:00:00Z');
const EXPIRES = NOW.getTime() / 1000 + 1800;
const ID = 'approval-id-0001';
const TOKEN = 'task-token-1';
const FORM_ACTION = 'https://abc123.lambda-url.us-east-1.on.aws/';

const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);

const aRecord = (overrides: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  id: ID,
  taskToken: TOKEN,
  runbook: 'rds-failover',
  incidentId: 'inc-20260301T0955-0a1b2c3d',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:rebound-prod-rds-failover:run-1',
  executionName: 'run-1',
  action: 'force a Multi-AZ failover of <rebound-prod-db> & "friends"',
  target: { type: 'db-instance', id: 'rebound-prod-db' },
  status: 'pending',
  requestedAt: NOW.toISOString(),
  expiresAt: EXPIRES,
  ...overrides,
});

const link = (decision: 'approve' | 'reject', expires = EXPIRES) => ({
  id: ID,
  decision,
  expires: String(expires),
  sig: signApproval(KEY, { id: ID, decision, expires }),
});

/** The text of a page, tags stripped, entities left. */
const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('approval endpoint', () => {
  let approvals: MemoryApprovalStore;
  let deps: EndpointDeps;
  let now: Date;

  beforeEach(async () => {
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).resolves({});
    approvals = new MemoryApprovalStore();
    await approvals.create(aRecord());
    now = NOW;
    deps = {
      approvals,
      answerer: new SfnTaskAnswerer(new SFNClient({})),
      signingKey: async () => KEY,
      clock: { now: () => now },
      warn: () => {},
    };
  });

  const get = (params: Record<string, string>) =>
    handleEndpointRequest({ method: 'GET', params, formAction: FORM_ACTION }, deps);
  const post = (params: Record<string, string>) =>
    handleEndpointRequest({ method: 'POST', params, formAction: FORM_ACTION }, deps);

  it('shows a form on GET and answers nothing (mail scanners open links)', async () => {
    // Act
    const page = await get(link('approve'));

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<form method="post" action="${FORM_ACTION}">`);
    expect(page.body).toContain(`<input type="hidden" name="sig" value="${link('approve').sig}">`);
    expect(page.body).toContain('<input type="hidden" name="decision" value="approve">');
    expect(page.body).toMatch(/<input type="text" id="by" name="by" required/);
    expect(page.body).toContain('<textarea id="reason" name="reason"');
    expect(text(page.body)).toContain('Your name');
    expect(text(page.body)).toContain('2026-03-01 10:30:00 UTC');
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect((await approvals.get(ID))?.status).toBe('pending');
  });

  it('escapes everything it shows', async () => {
    // Act
    const page = await get(link('approve'));

    // Assess
    expect(page.body).toContain(
      'force a Multi-AZ failover of &lt;rebound-prod-db&gt; &amp; &quot;friends&quot;',
    );
    expect(page.body).not.toContain('<rebound-prod-db>');
  });

  it('approves once on POST with a name and sends the answer to the waiting task', async () => {
    // Act
    const page = await post({ ...link('approve'), by: 'Ana', reason: 'primary is hung' });

    // Assess
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain(
      'Approved by Ana at 2026-03-01 10:00:00 UTC: primary is hung.',
    );
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    const input = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(input?.taskToken).toBe(TOKEN);
    expect(JSON.parse(input?.output ?? 'null')).toEqual({
      decision: 'approve',
      by: 'Ana',
      reason: 'primary is hung',
      via: 'link',
      at: NOW.toISOString(),
    });
    expect(await approvals.get(ID)).toMatchObject({
      status: 'answered',
      answer: { decision: 'approve', by: 'Ana', reason: 'primary is hung', at: NOW.toISOString() },
    });
  });

  it('rejects with the reject link', async () => {
    // Act
    const page = await post({ ...link('reject'), by: 'Bob' });

    // Assess
    expect(page.statusCode).toBe(200);
    const output = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output;
    expect(JSON.parse(output ?? 'null')).toMatchObject({
      decision: 'reject',
      by: 'Bob',
      via: 'link',
    });
  });

  it('answers 409 to a second use of a link, or of the other link', async () => {
    // Prepare
    await post({ ...link('approve'), by: 'Ana' });

    // Act
    const again = await post({ ...link('approve'), by: 'Ana' });
    const other = await post({ ...link('reject'), by: 'Bob' });
    const look = await get(link('reject'));

    // Assess
    expect([again.statusCode, other.statusCode, look.statusCode]).toEqual([409, 409, 409]);
    expect(text(again.body)).toContain('Already answered');
    expect(text(look.body)).toContain('approve by Ana');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('answers 410 once the link expired, and sends nothing', async () => {
    // Prepare
    now = new Date(EXPIRES * 1000 + 1000);

    // Act
    const page = await post({ ...link('approve'), by: 'Ana' });

    // Assess
    expect(page.statusCode).toBe(410);
    expect(text(page.body)).toContain('This request has expired');
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it.each([
    ['a reject link turned into approve', { ...link('reject'), decision: 'approve' }],
    ['a later expiry', { ...link('approve'), expires: String(EXPIRES + 3600) }],
    ['another signature', { ...link('approve'), sig: 'a'.repeat(64) }],
  ])('answers 403 to a tampered link (%s)', async (_what, tampered) => {
    // Act
    const page = await post({ ...tampered, by: 'Mallory' });

    // Assess
    expect(page.statusCode).toBe(403);
    expect(text(page.body)).toContain('This link is not valid');
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect((await approvals.get(ID))?.status).toBe('pending');
  });

  it('answers 400 with a plain reason to missing parameters', async () => {
    // Act
    const page = await get({ id: ID });

    // Assess
    expect(page.statusCode).toBe(400);
    expect(text(page.body)).toContain('The link says neither approve nor reject.');
  });

  it('asks again for a name when the form came without one, and does nothing', async () => {
    // Act
    const page = await post({ ...link('approve'), by: '   ', reason: 'keep <me>' });

    // Assess
    expect(page.statusCode).toBe(400);
    expect(text(page.body)).toContain('Your name is required');
    expect(page.body).toContain('keep &lt;me&gt;</textarea>');
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect((await approvals.get(ID))?.status).toBe('pending');
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
  ])(
    'says the request no longer waits when SendTaskSuccess fails with %s',
    async (_name, error) => {
      // Prepare
      sfn.on(SendTaskSuccessCommand).rejects(error);

      // Act
      const page = await post({ ...link('approve'), by: 'Ana' });
      const again = await get(link('approve'));

      // Assess
      expect(page.statusCode).toBe(410);
      expect(text(page.body)).toContain('This request is no longer waiting');
      expect(text(page.body)).toContain('timed out or ended');
      expect((await approvals.get(ID))?.status).toBe('closed');
      expect(again.statusCode).toBe(410);
    },
  );

  it('lets the person try again when Step Functions fails otherwise', async () => {
    // Prepare
    sfn
      .on(SendTaskSuccessCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const warnings: string[] = [];
    deps = { ...deps, warn: (message) => warnings.push(message) };

    // Act
    const failed = await post({ ...link('approve'), by: 'Ana' });
    const retried = await post({ ...link('approve'), by: 'Ana' });

    // Assess
    expect(failed.statusCode).toBe(503);
    expect(text(failed.body)).toContain('Nothing was decided');
    expect(warnings).toEqual(['could not deliver the approval answer']);
    expect(retried.statusCode).toBe(200);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 2);
  });

  it('answers 404 for an id it does not know', async () => {
    // Prepare
    const other = 'unknown-id-000001';
    const params = {
      id: other,
      decision: 'approve',
      expires: String(EXPIRES),
      sig: signApproval(KEY, { id: other, decision: 'approve', expires: EXPIRES }),
    };

    // Act
    const page = await get(params);

    // Assess
    expect(page.statusCode).toBe(404);
  });

  it('refuses other methods', async () => {
    const page = await handleEndpointRequest(
      { method: 'DELETE', params: link('approve'), formAction: FORM_ACTION },
      deps,
    );
    expect(page.statusCode).toBe(405);
  });
});

describe('approval endpoint handler (Function URL)', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  const SECRET_ARN =
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:rebound-test-approval-signing-key-AbCdEf';

  const load = async () => {
    vi.stubEnv('INCIDENTS_TABLE', 'rebound-test-incidents');
    vi.stubEnv('SIGNING_KEY_SECRET_ARN', SECRET_ARN);
    return (await import('../../functions/approval-endpoint.js')).handler;
  };

  const event = (overrides: Partial<LambdaFunctionURLEvent>): LambdaFunctionURLEvent =>
    ({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        domainName: 'abc123.lambda-url.us-east-1.on.aws',
        http: {
          method: 'GET',
          path: '/',
          protocol: 'HTTP/1.1',
          sourceIp: '192.0.2.1',
          userAgent: 'test',
        },
      },
      ...overrides,
    }) as LambdaFunctionURLEvent;

  beforeEach(() => {
    sfn.reset();
    secrets.reset();
    documents.reset();
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const item = {
      pk: approvalItemKey(ID),
      ...aRecord(),
      deadline: EXPIRES,
      expiresAt: EXPIRES + 604800,
    };
    documents.on(GetCommand).resolves({ Item: item });
    documents.on(UpdateCommand).resolves({ Attributes: { ...item, status: 'answered' } });
    sfn.on(SendTaskSuccessCommand).resolves({});
    return () => {
      vi.useRealTimers();
      vi.unstubAllEnvs();
    };
  });

  it('serves the form as HTML that cannot be framed or cached, without acting', async () => {
    // Prepare
    const handler = await load();

    // Act
    const result = await handler(event({ queryStringParameters: link('approve') }));

    // Assess
    expect(result).toMatchObject({
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
      },
    });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('reads a base64-encoded form POST, claims the request once and answers the task', async () => {
    // Prepare
    const handler = await load();
    const form = new URLSearchParams({
      ...link('approve'),
      by: 'Ana Lopez',
      reason: 'hung & slow',
    });

    // Act
    const result = await handler(
      event({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()).toString('base64'),
        isBase64Encoded: true,
        requestContext: {
          ...event({}).requestContext,
          http: {
            method: 'POST',
            path: '/',
            protocol: 'HTTP/1.1',
            sourceIp: '192.0.2.1',
            userAgent: 'test',
          },
        },
      }),
    );

    // Assess
    expect(result).toMatchObject({ statusCode: 200 });
    expect(documents).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'rebound-test-incidents',
      Key: { pk: approvalItemKey(ID) },
      ConditionExpression: '#status = :pending',
    });
    const output = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output;
    expect(JSON.parse(output ?? 'null')).toMatchObject({
      decision: 'approve',
      by: 'Ana Lopez',
      reason: 'hung & slow',
    });
  });

  it('answers a plain error page, never a stack trace, when something breaks', async () => {
    // Prepare
    const handler = await load();
    documents.on(GetCommand).rejects(new Error('boom at /var/task/index.mjs:1:2'));
    vi.spyOn(console, 'error').mockImplementation(() => {});

    // Act
    const result = await handler(event({ queryStringParameters: link('approve') }));

    // Assess
    expect(result).toMatchObject({ statusCode: 500 });
    const body = typeof result === 'string' ? result : (result.body ?? '');
    expect(body).toContain('Nothing was decided');
    expect(body).not.toContain('/var/task');
  });
});

describe('secretsManagerSigningKey', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:signing-key-AbCdEf';
  beforeEach(() => {
    secrets.reset();
  });

  it('reads the key once per container', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const signingKey = secretsManagerSigningKey(new SecretsManagerClient({}), SECRET_ARN);

    // Act
    const keys = [await signingKey(), await signingKey()];

    // Assess
    expect(keys).toEqual([KEY, KEY]);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('tries again after a failed read, and refuses a short key', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('network'))
      .resolvesOnce({ SecretString: 'short' })
      .resolves({ SecretString: KEY });
    const signingKey = secretsManagerSigningKey(new SecretsManagerClient({}), SECRET_ARN);

    // Act & Assess
    await expect(signingKey()).rejects.toThrow('network');
    await expect(signingKey()).rejects.toThrow(/no signing key of at least 32 characters/);
    await expect(signingKey()).resolves.toBe(KEY);
  });
});
