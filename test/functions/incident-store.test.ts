import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../functions/lib/aws/dynamodb-incident-store.js';
import {
  INCIDENT_TABLE,
  incidentItemKey,
  scopeItemKey,
  TIMELINE_CAP,
} from '../../functions/lib/aws/incident-table.js';
import type { Incident, TimelineEntry } from '../../functions/lib/core/incident.js';
import { IncidentConflictError, type IncidentStore } from '../../functions/lib/core/ports.js';
import { MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';

const dynamo = useDynalite();
let tables = 0;
const newTable = async (): Promise<{ documents: DynamoDBDocumentClient; tableName: string }> => {
  tables += 1;
  const tableName = `incidents-${tables}`;
  await createIncidentTable(dynamo.client, tableName);
  return { documents: DynamoDBDocumentClient.from(dynamo.client), tableName };
};

const anIncident = (id: string, overrides: Partial<Incident> = {}): Incident => ({
  id,
  status: 'open',
  severity: 'critical',
  title: `${id} is unhealthy`,
  kind: 'instance-health',
  resources: [{ type: 'ec2-instance', id: `i-${id}` }],
  parts: [],
  scopeKeys: [`resource:ec2-instance:i-${id}`],
  timeline: [],
  openedAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  runbookExecutions: {},
  version: 1,
  ...overrides,
});

/** The next stored version of `incident` with `changes`. */
const next = (incident: Incident, changes: Partial<Incident> = {}): Incident => ({
  ...incident,
  updatedAt: '2026-03-01T10:05:00.000Z',
  ...changes,
  version: incident.version + 1,
});

const signalEntry = (index: number): TimelineEntry => ({
  type: 'signal',
  at: new Date(Date.UTC(2026, 2, 1, 10, 0, index)).toISOString(),
  kind: 'instance-health',
  phase: 'problem',
  partKey: 'part-1',
  summary: `signal ${index}`,
  eventId: `event-${index}`,
});

const implementations: [string, () => Promise<IncidentStore>][] = [
  ['memory', async () => new MemoryIncidentStore()],
  [
    'DynamoDB',
    async () => {
      const { documents, tableName } = await newTable();
      return new DynamoDbIncidentStore(documents, tableName);
    },
  ],
];

describe.each(implementations)('%s incident store', (_name, makeStore) => {
  it('stores a new incident and finds it by id and by any of its scope keys', async () => {
    // Prepare
    const store = await makeStore();
    const incident = anIncident('a', { scopeKeys: ['resource:ec2-instance:i-a', 'az:us-east-1a'] });

    // Act
    await store.create(incident);

    // Assess
    expect(await store.get('a')).toEqual(incident);
    expect(await store.findActive(['az:us-east-1a'])).toEqual([incident]);
    expect(await store.findActive(['az:us-east-1b'])).toEqual([]);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('keeps members that are present but undefined out of the stored incident', async () => {
    // Prepare
    const store = await makeStore();
    const incident = anIncident('a', { availabilityZone: undefined });

    // Act
    await store.create(incident);

    // Assess
    expect(await store.get('a')).toEqual(anIncident('a'));
  });

  it('refuses a second incident with the same id', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(anIncident('a'));

    // Act
    const second = store.create(anIncident('a', { scopeKeys: ['az:us-east-1c'] }));

    // Assess
    await expect(second).rejects.toBeInstanceOf(IncidentConflictError);
    expect(await store.findActive(['az:us-east-1c'])).toEqual([]);
  });

  it('refuses to create an incident that is not new', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    const created = store.create(anIncident('a', { version: 3 }));

    // Assess
    await expect(created).rejects.toBeInstanceOf(RangeError);
    expect(await store.get('a')).toBeUndefined();
  });

  it('refuses a new incident on a scope key an active incident holds, and stores none of it', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(anIncident('a', { scopeKeys: ['az:us-east-1a'] }));

    // Act
    const conflicting = store.create(
      anIncident('b', { scopeKeys: ['resource:ec2-instance:i-b', 'az:us-east-1a'] }),
    );

    // Assess
    await expect(conflicting).rejects.toBeInstanceOf(IncidentConflictError);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.findActive(['resource:ec2-instance:i-b'])).toEqual([]);
  });

  it('lets exactly one of five concurrent creators of the same scope win', async () => {
    // Prepare
    const store = await makeStore();
    const creators = ['a', 'b', 'c', 'd', 'e'].map((id) =>
      anIncident(id, {
        scopeKeys: [`resource:ec2-instance:i-${id}`, 'resource:auto-scaling-group:web'],
      }),
    );

    // Act
    const results = await Promise.allSettled(creators.map((incident) => store.create(incident)));

    // Assess
    const winners = creators.filter((_, index) => results[index]?.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const losers = results.filter((result) => result.status === 'rejected');
    expect(losers.map((loser) => loser.reason)).toEqual(
      Array.from({ length: 4 }, () => expect.any(IncidentConflictError)),
    );
    expect(await store.findActive(['resource:auto-scaling-group:web'])).toEqual(winners);
    const loserKeys = creators
      .filter((incident) => !winners.includes(incident))
      .map((incident) => `resource:ec2-instance:i-${incident.id}`);
    expect(await store.findActive(loserKeys)).toEqual([]);
  });

  it('updates only from the stored version', async () => {
    // Prepare
    const store = await makeStore();
    const incident = anIncident('a');
    await store.create(incident);
    const v2 = next(incident, { severity: 'warning' });
    await store.update(v2);

    // Act
    const stale = store.update(next(incident, { title: 'stale writer' }));
    const skipping = store.update(next(next(v2)));
    const unknown = store.update(next(anIncident('b')));

    // Assess
    await expect(stale).rejects.toBeInstanceOf(IncidentConflictError);
    await expect(skipping).rejects.toBeInstanceOf(IncidentConflictError);
    await expect(unknown).rejects.toBeInstanceOf(IncidentConflictError);
    expect(await store.get('a')).toEqual(v2);
  });

  it('claims the scope keys an update adds', async () => {
    // Prepare
    const store = await makeStore();
    const incident = anIncident('a');
    await store.create(incident);
    const grown = next(incident, { scopeKeys: [...incident.scopeKeys, 'az:us-east-1b'] });

    // Act
    await store.update(grown);

    // Assess
    expect(await store.findActive(['az:us-east-1b'])).toEqual([grown]);
    await expect(
      store.create(anIncident('b', { scopeKeys: ['az:us-east-1b'] })),
    ).rejects.toBeInstanceOf(IncidentConflictError);
  });

  it('refuses an update adding a scope key another active incident holds, and keeps the stored one', async () => {
    // Prepare
    const store = await makeStore();
    const a = anIncident('a');
    await store.create(a);
    await store.create(anIncident('b', { scopeKeys: ['az:us-east-1b'] }));

    // Act
    const grabbing = store.update(next(a, { scopeKeys: [...a.scopeKeys, 'az:us-east-1b'] }));

    // Assess
    await expect(grabbing).rejects.toBeInstanceOf(IncidentConflictError);
    expect(await store.get('a')).toEqual(a);
    expect((await store.findActive(['az:us-east-1b'])).map((incident) => incident.id)).toEqual([
      'b',
    ]);
  });

  it('releases a scope key an active incident drops', async () => {
    // Prepare
    const store = await makeStore();
    const a = anIncident('a', { scopeKeys: ['resource:ec2-instance:i-a', 'az:us-east-1a'] });
    await store.create(a);
    await store.update(next(a, { scopeKeys: ['resource:ec2-instance:i-a'] }));
    const b = anIncident('b', { scopeKeys: ['az:us-east-1a'] });

    // Act
    await store.create(b);

    // Assess
    expect(await store.findActive(['az:us-east-1a'])).toEqual([b]);
  });

  it.each([
    ['resolved', ['resource:ec2-instance:i-1', 'part:alarm:x']],
    ['failed', ['resource:ec2-instance:i-1', 'az:us-east-1a']],
  ] as const)(
    'releases every scope key when the incident is %s, so a new incident can claim them',
    async (status, scopeKeys) => {
      // Prepare (a resolved incident's AZ keys are held a while longer: see the next test)
      const store = await makeStore();
      const a = anIncident('a', { scopeKeys: [...scopeKeys] });
      await store.create(a);
      const closed = next(a, { status, resolvedAt: '2026-03-01T10:05:00.000Z' });
      await store.update(closed);

      // Act
      const found = await store.findActive(a.scopeKeys);
      const b = anIncident('b', { scopeKeys: a.scopeKeys, openedAt: '2026-03-01T10:06:00.000Z' });
      await store.create(b);

      // Assess
      expect(found).toEqual([]);
      expect(await store.findActive(a.scopeKeys)).toEqual([b]);
      expect(await store.get('a')).toEqual(closed);
    },
  );

  it('keeps the AZ keys of a resolved incident claimed for the correlation window after it resolved, and only those', async () => {
    // Prepare: a DB failover in us-east-1a, over at 10:05 (AWS Health posts minutes later).
    const store = await makeStore();
    const a = anIncident('a', {
      scopeKeys: ['part:db-failover:db', 'resource:db-instance:db', 'az:us-east-1a'],
    });
    await store.create(a);
    const resolved = next(a, { status: 'resolved', resolvedAt: '2026-03-01T10:05:00.000Z' });
    await store.update(resolved);
    const within = (id: string, scopeKeys: string[]) =>
      anIncident(id, {
        scopeKeys,
        openedAt: '2026-03-01T10:20:00.000Z',
        updatedAt: '2026-03-01T10:20:00.000Z',
      });

    // Act
    const found = await store.findActive(['az:us-east-1a']);
    const sameZone = await store.create(within('b', ['az:us-east-1a'])).then(
      () => undefined,
      (error: unknown) => error,
    );
    await store.create(within('c', ['resource:db-instance:db']));
    const later = anIncident('d', {
      scopeKeys: ['az:us-east-1a'],
      openedAt: '2026-03-01T10:36:00.000Z',
      updatedAt: '2026-03-01T10:36:00.000Z',
    });
    await store.create(later);

    // Assess
    expect(found).toEqual([resolved]);
    expect(sameZone).toBeInstanceOf(IncidentConflictError);
    expect(await store.findActive(['resource:db-instance:db'])).toEqual([
      within('c', ['resource:db-instance:db']),
    ]);
    expect(await store.findActive(['az:us-east-1a'])).toEqual([later]);
  });

  it('keeps the part keys of a recorded AWS recovery claimed until recordedUntil, then lets them go', async () => {
    // Prepare: a recovery recorded as an incident that is over at once, held for 30 minutes.
    const store = await makeStore();
    const keys = ['part:cache-failover:g', 'resource:cache-replication-group:g'];
    const recorded = anIncident('a', {
      status: 'resolved',
      resolvedAt: '2026-03-01T10:00:00.000Z',
      recordedUntil: '2026-03-01T10:30:00.000Z',
      scopeKeys: keys,
    });
    await store.create(recorded);
    const sameRecovery = anIncident('b', { status: 'resolved', scopeKeys: keys });
    const laterRecovery = anIncident('c', {
      status: 'resolved',
      recordedUntil: '2026-03-01T11:01:00.000Z',
      scopeKeys: keys,
      openedAt: '2026-03-01T10:31:00.000Z',
      updatedAt: '2026-03-01T10:31:00.000Z',
      resolvedAt: '2026-03-01T10:31:00.000Z',
    });
    const problemOnTheGroup = anIncident('d', { scopeKeys: [keys[1] as string] });

    // Act
    const found = await store.findActive(keys);
    // Settled here, so its rejection is handled before the next writes.
    const duplicate = await store
      .create({ ...sameRecovery, recordedUntil: '2026-03-01T10:30:00.000Z' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await store.create(problemOnTheGroup);
    await store.create(laterRecovery);

    // Assess
    expect(found).toEqual([recorded]);
    expect(duplicate).toBeInstanceOf(IncidentConflictError);
    expect(await store.findActive([keys[0] as string])).toEqual([laterRecovery]);
  });

  it('claims the scope keys again when a closed incident becomes active again', async () => {
    // Prepare
    const store = await makeStore();
    const a = anIncident('a');
    await store.create(a);
    const resolved = next(a, { status: 'resolved', resolvedAt: '2026-03-01T10:05:00.000Z' });
    await store.update(resolved);

    // Act
    const reopened = next(resolved, { status: 'open' });
    await store.update(reopened);

    // Assess
    expect(await store.findActive(a.scopeKeys)).toEqual([reopened]);
  });

  it('finds each active incident once, newest first', async () => {
    // Prepare
    const store = await makeStore();
    const older = anIncident('older', {
      scopeKeys: ['az:us-east-1a', 'resource:ec2-instance:i-1'],
      openedAt: '2026-03-01T09:00:00.000Z',
    });
    const newer = anIncident('newer', {
      scopeKeys: ['resource:ec2-instance:i-2'],
      openedAt: '2026-03-01T11:00:00.000Z',
    });
    const middle = anIncident('middle', {
      scopeKeys: ['resource:db-instance:db'],
      openedAt: '2026-03-01T10:00:00.000Z',
    });
    for (const incident of [older, newer, middle]) await store.create(incident);

    // Act
    const found = await store.findActive([
      'az:us-east-1a',
      'resource:ec2-instance:i-2',
      'resource:ec2-instance:i-1',
      'resource:db-instance:db',
      'az:us-east-1a',
      'az:nowhere',
    ]);

    // Assess
    expect(found.map((incident) => incident.id)).toEqual(['newer', 'middle', 'older']);
  });
});

describe('DynamoDB incident store items', () => {
  const rawItem = async (documents: DynamoDBDocumentClient, tableName: string, pk: string) =>
    (
      await documents.send(
        new GetCommand({ TableName: tableName, Key: { [INCIDENT_TABLE.partitionKey]: pk } }),
      )
    ).Item;

  it('stores the incident under INCIDENT#<id> and a claim per scope key, released on resolve', async () => {
    // Prepare
    const { documents, tableName } = await newTable();
    const store = new DynamoDbIncidentStore(documents, tableName);
    const incident = anIncident('a', { updatedAt: '2026-03-01T10:00:00.000Z' });
    await store.create(incident);
    const activeItem = await rawItem(documents, tableName, incidentItemKey('a'));
    const claim = await rawItem(documents, tableName, scopeItemKey('resource:ec2-instance:i-a'));

    // Act
    await store.update(
      next(incident, { status: 'resolved', resolvedAt: '2026-03-02T10:00:00.000Z' }),
    );

    // Assess
    expect(activeItem).toMatchObject({
      version: 1,
      active: true,
      [INCIDENT_TABLE.timeToLiveAttribute]: Date.parse('2026-05-30T10:00:00.000Z') / 1000,
    });
    expect(claim).toEqual({ pk: 'SCOPE#resource:ec2-instance:i-a', incidentId: 'a' });
    expect(await rawItem(documents, tableName, incidentItemKey('a'))).toMatchObject({
      version: 2,
      active: false,
      // 90 days after resolvedAt.
      [INCIDENT_TABLE.timeToLiveAttribute]: Date.parse('2026-05-31T10:00:00.000Z') / 1000,
    });
    expect(
      await rawItem(documents, tableName, scopeItemKey('resource:ec2-instance:i-a')),
    ).toBeUndefined();
  });

  it('takes over a claim whose incident is gone (expired by TTL)', async () => {
    // Prepare
    const { documents, tableName } = await newTable();
    const store = new DynamoDbIncidentStore(documents, tableName);
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: scopeItemKey('az:us-east-1a'), incidentId: 'inc-expired' },
      }),
    );
    const incident = anIncident('a', { scopeKeys: ['az:us-east-1a'] });

    // Act
    await store.create(incident);

    // Assess
    expect(await store.findActive(['az:us-east-1a'])).toEqual([incident]);
  });

  it(`keeps the first ${TIMELINE_CAP.head} and last ${TIMELINE_CAP.tail} timeline entries past ${TIMELINE_CAP.max}, counting the dropped ones`, async () => {
    // Prepare
    const { documents, tableName } = await newTable();
    const store = new DynamoDbIncidentStore(documents, tableName);
    const entries = Array.from({ length: 400 }, (_, index) => signalEntry(index));
    await store.create(anIncident('a', { timeline: entries }));
    const capped = await store.get('a');
    if (capped === undefined) throw new Error('incident a not stored');
    const more = Array.from({ length: 40 }, (_, index) => signalEntry(400 + index));

    // Act
    await store.update(next(capped, { timeline: [...capped.timeline, ...more] }));

    // Assess
    expect(capped.timeline).toEqual([...entries.slice(0, 20), ...entries.slice(150)]);
    const recapped = await store.get('a');
    expect(recapped?.timeline).toEqual([...entries.slice(0, 20), ...entries.slice(190), ...more]);
    expect(await rawItem(documents, tableName, incidentItemKey('a'))).toMatchObject({
      timelineOmitted: 130 + 40,
    });
  });

  it('leaves a timeline up to the cap untouched', async () => {
    // Prepare
    const { documents, tableName } = await newTable();
    const store = new DynamoDbIncidentStore(documents, tableName);
    const incident = anIncident('a', {
      timeline: Array.from({ length: TIMELINE_CAP.max }, (_, index) => signalEntry(index)),
    });

    // Act
    await store.create(incident);

    // Assess
    expect(await store.get('a')).toEqual(incident);
    expect(await rawItem(documents, tableName, incidentItemKey('a'))).toMatchObject({
      timelineOmitted: 0,
    });
  });
});
