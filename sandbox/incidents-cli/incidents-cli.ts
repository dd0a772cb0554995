import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbIncidentStore } from '../../functions/lib/aws/dynamodb-incident-store.js';
import { INCIDENT_TABLE, incidentItemKey } from '../../functions/lib/aws/incident-table.js';
import { executionConsoleLink } from '../../functions/lib/core/console-links.js';
import {
  handedOverAt,
  type Incident,
  isActive,
  type TimelineEntry,
  timeToResolveMinutes,
} from '../../functions/lib/core/incident.js';
import type { Clock } from '../../functions/lib/core/ports.js';
import {
  CliError,
  describeAwsCallError,
  resolveStageAndRegion,
  runCliCommand,
  type StageAndRegion,
  splitCliOptions,
  usageError,
} from '../cli-kit.js';

/**
 * `npm run incidents`: the open incidents and those of the last days, with status, severity
 * and time to resolve; `show <id>` prints one incident's whole timeline. It reads the incident
 * table (`rebound-<stage>-incidents`) with the caller's own AWS credentials. Output to injected
 * writers; exit codes as `npm run runbook`: 0 ok, 1 AWS error or not found, 2 bad arguments.
 */

export const INCIDENTS_USAGE = [
  'usage: npm run incidents -- [--days <n>] [--stage <stage>] [--region <region>]',
  '       npm run incidents -- show <incident id> [--stage <stage>] [--region <region>]',
  '       npm run incidents -- --help',
].join('\n');

const DEFAULT_DAYS = 7;
const MAX_DAYS = 90;
/** A Scan page is at most 1 MB: 100 pages is far more than 90 days of incidents. */
const MAX_PAGES = 100;

const HELP = `${INCIDENTS_USAGE}

Lists the incidents of a stage: every one still active (open, mitigating, escalated), then those
updated in the last --days days, newest first, with status, severity, when they opened and how
long they took to resolve (MTTR). "show <incident id>" prints one incident: its resources, and
its whole timeline (signals, decisions with their reasons, runbook runs with console links,
approvals, alerts, status changes). Uses your own AWS credentials (profile, SSO or environment).

  --days <n>         resolved or failed incidents of the last n days (1-${MAX_DAYS}); default ${DEFAULT_DAYS}
  --stage <stage>    default: the "stage" context in cdk.json, else dev
  --region <region>  default: AWS_REGION, else AWS_DEFAULT_REGION, else the "region" context in cdk.json
  -h, --help         print this help

Exit codes: 0 printed, 1 AWS error, table or incident not found, 2 bad arguments.
Your role needs dynamodb:Scan (list) or dynamodb:GetItem (show) on rebound-<stage>-incidents.`;

export interface IncidentsCliDeps {
  /** The DynamoDB document client for a region; built only after every local check passed. */
  readonly documents: (region: string) => DynamoDBDocumentClient;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cdkJsonPath: string;
  readonly clock: Clock;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export type IncidentsCommand =
  | { readonly kind: 'help' }
  | ({ readonly kind: 'list'; readonly days: number } & StageAndRegion)
  | ({ readonly kind: 'show'; readonly id: string } & StageAndRegion);

const INCIDENT_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const OPTIONS = { '--days': 'days', '--stage': 'stage', '--region': 'region' } as const;

export const parseIncidentsArgs = (args: readonly string[]): IncidentsCommand => {
  const split = splitCliOptions(args, OPTIONS);
  if (split === 'help') return { kind: 'help' };
  const { values, positionals } = split;
  const target = {
    ...(values.stage === undefined ? {} : { stage: values.stage }),
    ...(values.region === undefined ? {} : { region: values.region }),
  };
  const [command, id, ...extra] = positionals;
  if (command === undefined) {
    const days = Number(values.days ?? DEFAULT_DAYS);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      throw usageError(`--days must be a whole number from 1 to ${MAX_DAYS}, got "${values.days}"`);
    }
    return { kind: 'list', days, ...target };
  }
  if (command !== 'show') throw usageError(`unknown command "${command}" (only show)`);
  if (values.days !== undefined) throw usageError('--days is for the list, not for show');
  if (id === undefined || !INCIDENT_ID.test(id)) {
    throw usageError('show needs an incident id such as inc-20260301T0955-0a1b2c3d');
  }
  if (extra.length > 0) throw usageError(`show takes one incident id (extra: ${extra.join(' ')})`);
  return { kind: 'show', id, ...target };
};

// --- formatting ------------------------------------------------------------------------------

/** `2026-03-01 09:55` (UTC). */
const minuteUtc = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

/** `45s`, `25m`, `1h 05m`, `2d 03h`. */
export const formatDuration = (ms: number): string => {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${String(hours % 24).padStart(2, '0')}h`;
};

/**
 * Time to resolve, how long it has been open (`open 25m`), or, for a failed incident, when it
 * was handed to a person (`handed over 30m`): no MTTR, nobody resolved it.
 */
const mttrOf = (incident: Incident, now: Date): string => {
  const minutes = timeToResolveMinutes(incident);
  if (minutes !== undefined) return formatDuration(minutes * 60_000);
  const sinceOpened = (at: number) => formatDuration(at - Date.parse(incident.openedAt));
  if (isActive(incident.status)) return `open ${sinceOpened(now.getTime())}`;
  const handedOver = handedOverAt(incident);
  return handedOver === undefined ? '-' : `handed over ${sinceOpened(Date.parse(handedOver))}`;
};

const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]?.map((_cell, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell.padEnd(widths?.[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
};

export const formatIncidentList = (
  incidents: readonly Incident[],
  days: number,
  now: Date,
): string => {
  const since = now.getTime() - days * 24 * 60 * 60 * 1000;
  const active = incidents.filter(({ status }) => isActive(status));
  const recent = incidents.filter(
    (incident) => !isActive(incident.status) && Date.parse(incident.updatedAt) >= since,
  );
  const newestFirst = (a: Incident, b: Incident) => b.openedAt.localeCompare(a.openedAt);
  const shown = [...active.sort(newestFirst), ...recent.sort(newestFirst)];
  const minutesToResolve = recent.flatMap((incident) =>
    incident.status === 'resolved' ? (timeToResolveMinutes(incident) ?? []) : [],
  );
  const mean =
    minutesToResolve.length === 0
      ? undefined
      : (minutesToResolve.reduce((sum, minutes) => sum + minutes, 0) / minutesToResolve.length) *
        60_000;
  const summary =
    `${active.length} active, ${recent.length} ended in the last ${days} days` +
    (mean === undefined
      ? ''
      : `; MTTR of the ${minutesToResolve.length} resolved: ${formatDuration(mean)}`);
  if (shown.length === 0) return `no incidents active or ended in the last ${days} days`;
  return [
    summary,
    '',
    ...table([
      ['ID', 'STATUS', 'SEVERITY', 'OPENED (UTC)', 'MTTR', 'TITLE'],
      ...shown.map((incident) => [
        incident.id,
        incident.status,
        incident.severity,
        minuteUtc(incident.openedAt),
        mttrOf(incident, now),
        incident.title,
      ]),
    ]),
  ].join('\n');
};

/** One timeline entry as one line (a runbook run gets its console link on the next). */
const timelineLines = (entry: TimelineEntry, region: string): string[] => {
  const at = `${entry.at.slice(0, 19).replace('T', ' ')}  `;
  switch (entry.type) {
    case 'signal':
      return [
        `${at}signal    ${entry.kind} ${entry.phase}: ${entry.summary} (event ${entry.eventId})`,
      ];
    case 'decision':
      return [
        `${at}decision  ${entry.action}${entry.runbook === null ? '' : ` ${entry.runbook}`}: ${entry.reason}` +
          (entry.blockedBy === undefined ? '' : ` [blocked by ${JSON.stringify(entry.blockedBy)}]`),
      ];
    case 'runbook':
      return [
        `${at}runbook   ${entry.runbook} ${entry.executionName} ${entry.status}${entry.detail === undefined ? '' : `: ${entry.detail}`}`,
        ...(entry.executionArn === undefined
          ? []
          : [`${' '.repeat(at.length + 10)}${executionConsoleLink(entry.executionArn, region)}`]),
      ];
    case 'approval':
      return [
        `${at}approval  ${entry.runbook} ${entry.executionName} ${entry.decision}` +
          (entry.by === undefined ? '' : ` by ${entry.by}`) +
          (entry.via === undefined ? '' : ` via ${entry.via}`) +
          (entry.reason === undefined ? '' : `: ${entry.reason}`),
      ];
    case 'alert':
      return [`${at}alert     ${entry.severity}${entry.sms ? ' (SMS)' : ''}: ${entry.subject}`];
    case 'status':
      return [`${at}status    ${entry.from} -> ${entry.to}: ${entry.reason}`];
  }
};

export const formatIncident = (incident: Incident, region: string, now: Date): string =>
  [
    `${incident.id}  ${incident.status}  ${incident.severity}`,
    incident.title,
    '',
    `opened:    ${incident.openedAt}`,
    ...(incident.status !== 'resolved' || incident.resolvedAt === undefined
      ? []
      : [`resolved:  ${incident.resolvedAt}`]),
    ...(handedOverAt(incident) === undefined ? [] : [`handed over: ${handedOverAt(incident)}`]),
    `MTTR:      ${mttrOf(incident, now)}`,
    `resources: ${incident.resources.map(({ type, id }) => `${type} ${id}`).join(', ') || '-'}`,
    ...(incident.availabilityZone === undefined ? [] : [`AZ:        ${incident.availabilityZone}`]),
    '',
    `timeline (${incident.timeline.length} entries, UTC):`,
    ...incident.timeline.flatMap((entry) => timelineLines(entry, region)),
  ].join('\n');

// --- AWS -------------------------------------------------------------------------------------

/** Every incident item of the table, page by page (approval and ledger items filtered out). */
const scanIncidents = async (
  documents: DynamoDBDocumentClient,
  tableName: string,
): Promise<{ incidents: Incident[]; truncated: boolean }> => {
  const incidents: Incident[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(#pk, :incidents)',
        ProjectionExpression: '#incident',
        ExpressionAttributeNames: { '#pk': INCIDENT_TABLE.partitionKey, '#incident': 'incident' },
        ExpressionAttributeValues: { ':incidents': incidentItemKey('') },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of output.Items ?? []) incidents.push(item.incident as Incident);
    startKey = output.LastEvaluatedKey;
    if (startKey === undefined) return { incidents, truncated: false };
  }
  return { incidents, truncated: true };
};

const run = async (command: IncidentsCommand, deps: IncidentsCliDeps): Promise<void> => {
  if (command.kind === 'help') {
    deps.out(HELP);
    return;
  }
  const { stage, region } = resolveStageAndRegion(command, deps, usageError);
  const tableName = `rebound-${stage}-incidents`;
  const documents = deps.documents(region);
  const now = deps.clock.now();
  try {
    if (command.kind === 'show') {
      const incident = await new DynamoDbIncidentStore(documents, tableName).get(command.id);
      if (incident === undefined) {
        throw new CliError(1, [
          `error: no incident ${command.id} in ${tableName} (${region}): check the id (npm run incidents lists them) and --stage/--region`,
        ]);
      }
      deps.out(formatIncident(incident, region, now));
      return;
    }
    const { incidents, truncated } = await scanIncidents(documents, tableName);
    deps.out(`${tableName} (${region})\n${formatIncidentList(incidents, command.days, now)}`);
    if (truncated) {
      deps.err(
        `warning: stopped after ${MAX_PAGES} pages of ${tableName}; older incidents may be missing`,
      );
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      throw new CliError(1, [
        `error: table ${tableName} not found in ${region}: deploy the control plane stack or pass --stage/--region`,
      ]);
    }
    const action = command.kind === 'show' ? 'dynamodb:GetItem' : 'dynamodb:Scan';
    throw new CliError(1, [
      describeAwsCallError(error, { needs: `${action} on ${tableName} in ${region}` }),
    ]);
  }
};

/** Runs the CLI on `args` (argv without node and the script); resolves to the exit code. */
export const runIncidentsCli = (args: readonly string[], deps: IncidentsCliDeps): Promise<number> =>
  runCliCommand(() => run(parseIncidentsArgs(args), deps), INCIDENTS_USAGE, deps.err);
