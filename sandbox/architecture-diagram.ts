/**
 * The README's picture of Rebound, generated from the synthesized templates so it cannot drift:
 * a Mermaid flowchart of both stacks and the path of one incident. Names, counts and the
 * control plane's wiring come from the templates: which events each EventBridge rule takes (its
 * pattern's `source`) and where it sends them (its targets), the ElastiCache topic's
 * subscriber, and what each function and state machine may do (its IAM policies: start a
 * runbook, write an incident, publish an alert, act on a shop resource). Only the shop's request
 * path (customers → CloudFront → ALB → web → database and cache) and the alerts topic's readers
 * (people, by email and SMS) are drawn between the nodes the templates hold, not read from
 * references.
 */

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Outputs?: Record<
    string,
    { readonly Value: unknown; readonly Export?: { readonly Name: string } }
  >;
}

export interface StackTemplates {
  readonly shopName: string;
  readonly shop: unknown;
  readonly controlPlaneName: string;
  readonly controlPlane: unknown;
}

interface Node {
  readonly id: string;
  /** Mermaid node text with its shape, e.g. `["λ rebound-dev-triage"]`. */
  readonly shape: string;
  readonly stack: 'shop' | 'controlPlane' | 'outside';
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly dotted?: boolean;
}

/** What a permission does in the picture; actions not listed (reads, logs, keys) are left out. */
const ACTION_LABELS: readonly (readonly [RegExp, string])[] = [
  [/^states:StartExecution$/, 'start runbook'],
  [/^sns:Publish$/, 'alert'],
  [/^dynamodb:(PutItem|UpdateItem)$/, 'record'],
  [/^ssm:GetParameters(ByPath)?$/, 'read guardrails'],
  [/^states:SendTask(Success|Failure)$/, 'answer'],
  [/^lambda:InvokeFunction$/, 'invoke'],
  [
    /^(autoscaling:(UpdateAutoScalingGroup|SetInstanceHealth)|rds:(RebootDBInstance|PromoteReadReplica)|elasticache:TestFailover|arc-zonal-shift:StartZonalShift)$/,
    'act',
  ],
];

/** Triage's permissions that are numbered steps of one incident's path. */
const TRIAGE_STEPS: Readonly<Record<string, string>> = {
  record: '3 record',
  'start runbook': '4 start runbook',
  alert: '5 alert',
};

/** The node an action on `*` or on an ARN built from a name touches, by its service. */
const SERVICE_NODES: Readonly<Record<string, string>> = {
  autoscaling: 'web',
  rds: 'db',
  elasticache: 'cache',
  'arc-zonal-shift': 'alb',
  ssm: 'guardrails',
  states: 'runbooks',
};

/** The node that sends each event source to EventBridge. */
const SOURCE_NODES: Readonly<Record<string, readonly [node: string, label: string]>> = {
  'aws.cloudwatch': ['alarms', '1 alarm state change'],
  'aws.autoscaling': ['web', '1 launch, termination'],
  'aws.rds': ['db', '1 RDS event'],
  'aws.health': ['health', '1 AWS Health event'],
  'aws.states': ['runbooks', 'run failed'],
};

const quote = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;
const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Logical ids an intrinsic names (`Ref`, `Fn::GetAtt`), wherever they sit in `value`. */
const referencedIds = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return [record.Ref];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(record).flatMap(referencedIds);
};

/** Export names a value imports (`Fn::ImportValue`), wherever they sit. */
const importedNames = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(importedNames);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record['Fn::ImportValue'] === 'string') return [record['Fn::ImportValue']];
  return Object.values(record).flatMap(importedNames);
};

export const architectureDiagram = (stacks: StackTemplates): string => {
  const shop = stacks.shop as Template;
  const cp = stacks.controlPlane as Template;
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const shopNodeOf = new Map<string, string>();
  const cpNodeOf = new Map<string, string>();
  const add = (node: Node, ...members: string[]) => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    for (const member of members)
      (node.stack === 'shop' ? shopNodeOf : cpNodeOf).set(member, node.id);
  };
  const edge = (from: string, to: string, label: string, dotted = false) => {
    if (from === to || !nodes.has(from) || !nodes.has(to)) return;
    if (edges.some((e) => e.from === from && e.to === to && e.label === label)) return;
    edges.push({ from, to, label, dotted });
  };

  // --- the shop -------------------------------------------------------------------------------
  const props = (resource: Resource) => resource.Properties ?? {};
  add({ id: 'customers', shape: `([${quote('customers')}])`, stack: 'outside' });
  add({ id: 'health', shape: `([${quote('AWS Health')}])`, stack: 'outside' });
  add({ id: 'people', shape: `([${quote('on-call: email, SMS')}])`, stack: 'outside' });
  const distributions = ofType(shop, 'AWS::CloudFront::Distribution');
  const waf = ofType(shop, 'AWS::WAFv2::WebACL').length > 0 ? ' + WAF' : '';
  if (distributions.length > 0) {
    add(
      { id: 'edge', shape: `[${quote(`CloudFront${waf}`)}]`, stack: 'shop' },
      ...distributions.map(([id]) => id),
    );
  }
  for (const [id, alb] of ofType(shop, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    add({ id: 'alb', shape: `[${quote(`ALB ${text(props(alb).Name)}`)}]`, stack: 'shop' }, id);
  }
  for (const [id, group] of ofType(shop, 'AWS::AutoScaling::AutoScalingGroup')) {
    const {
      AutoScalingGroupName: name,
      MinSize: min,
      MaxSize: max,
      VPCZoneIdentifier: subnets,
    } = props(group);
    const label = `Auto Scaling group ${text(name)}<br/>${text(min)}–${text(max)} instances, ${asList(subnets).length} AZs`;
    add({ id: 'web', shape: `[${quote(label)}]`, stack: 'shop' }, id);
  }
  const dbs = ofType(shop, 'AWS::RDS::DBInstance');
  const primary = dbs.find(([, db]) => props(db).SourceDBInstanceIdentifier === undefined);
  if (primary !== undefined) {
    const replicas = dbs.length - 1;
    const multiAz = props(primary[1]).MultiAZ === true ? 'Multi-AZ, ' : '';
    const label = `RDS ${text(props(primary[1]).DBInstanceIdentifier)}<br/>${multiAz}${replicas} read replicas`;
    add({ id: 'db', shape: `[(${quote(label)})]`, stack: 'shop' }, ...dbs.map(([id]) => id));
  }
  for (const [id, group] of ofType(shop, 'AWS::ElastiCache::ReplicationGroup')) {
    const { ReplicationGroupId: name, NumCacheClusters: nodeCount, Engine: engine } = props(group);
    const label = `ElastiCache ${text(engine)} ${text(name)}<br/>${text(nodeCount)} nodes, automatic failover`;
    add({ id: 'cache', shape: `[(${quote(label)})]`, stack: 'shop' }, id);
  }
  const shopAlarms = ofType(shop, 'AWS::CloudWatch::Alarm');
  add(
    { id: 'alarms', shape: `[${quote(`${shopAlarms.length} CloudWatch alarms`)}]`, stack: 'shop' },
    ...shopAlarms.map(([id]) => id),
  );
  for (const [id, topic] of ofType(shop, 'AWS::SNS::Topic')) {
    const name = text(props(topic).TopicName);
    add(
      {
        id: name.endsWith('-alerts') ? 'alerts' : name.endsWith('-ops') ? 'ops' : `topic-${name}`,
        shape: `[${quote(`SNS ${name}`)}]`,
        stack: 'shop',
      },
      id,
    );
  }
  for (const [from, to] of [
    ['customers', 'edge'],
    ['edge', 'alb'],
    ['alb', 'web'],
    ['web', 'db'],
    ['web', 'cache'],
  ] as const) {
    edge(from, to, '');
  }
  edge('alerts', 'people', '6 email, SMS');
  edge('ops', 'people', 'Rebound health: email, SMS');

  // --- the control plane ----------------------------------------------------------------------
  const exported = new Map(
    Object.values(shop.Outputs ?? {}).flatMap((output) => {
      const [id] = referencedIds(output.Value);
      return output.Export === undefined || id === undefined
        ? []
        : [[output.Export.Name, id] as const];
    }),
  );
  const nodeOfValue = (value: unknown): string[] => [
    ...referencedIds(value).flatMap((id) => cpNodeOf.get(id) ?? []),
    ...importedNames(value).flatMap((name) => shopNodeOf.get(exported.get(name) ?? '') ?? []),
  ];

  const machines = ofType(cp, 'AWS::StepFunctions::StateMachine');
  const machineNames = machines.map(([, machine]) => text(props(machine).StateMachineName));
  const prefix = `${stacks.shopName.replace(/-shop$/, '')}-`;
  const runbookList = machineNames.map((name) => name.replace(prefix, '')).join('<br/>');
  add(
    {
      id: 'runbooks',
      shape: `[[${quote(`Step Functions runbooks<br/>${runbookList}`)}]]`,
      stack: 'controlPlane',
    },
    ...machines.map(([id]) => id),
  );
  const rules = ofType(cp, 'AWS::Events::Rule');
  const targets = new Set(
    rules.flatMap(([, rule]) =>
      asList(props(rule).Targets).flatMap((target) =>
        referencedIds((target as { Arn?: unknown }).Arn),
      ),
    ),
  );
  for (const [id, fn] of ofType(cp, 'AWS::Lambda::Function')) {
    const name = text(props(fn).FunctionName);
    const inRunbook = machineNames.some((machine) => name.startsWith(`${machine}-`));
    if (inRunbook) {
      cpNodeOf.set(id, 'runbooks');
      continue;
    }
    const url = ofType(cp, 'AWS::Lambda::Url').some(([, fnUrl]) =>
      referencedIds(props(fnUrl).TargetFunctionArn).includes(id),
    );
    const nodeId = targets.has(id) ? 'triage' : `fn-${name.replace(prefix, '')}`;
    add(
      {
        id: nodeId,
        shape: `[${quote(`λ ${name}${url ? '<br/>(function URL)' : ''}`)}]`,
        stack: 'controlPlane',
      },
      id,
    );
  }
  for (const [id, table] of [
    ...ofType(cp, 'AWS::DynamoDB::GlobalTable'),
    ...ofType(cp, 'AWS::DynamoDB::Table'),
  ]) {
    const name = text(props(table).TableName);
    add(
      {
        id: `table-${name.replace(prefix, '')}`,
        shape: `[(${quote(`DynamoDB ${name}`)})]`,
        stack: 'controlPlane',
      },
      id,
    );
  }
  const parameters = ofType(cp, 'AWS::SSM::Parameter');
  const guardrailPath = text(props(parameters[0]?.[1] ?? { Type: '' }).Name).replace(/[^/]+$/, '');
  add(
    {
      id: 'guardrails',
      shape: `[${quote(`SSM ${guardrailPath}<br/>${parameters.length} guardrails`)}]`,
      stack: 'controlPlane',
    },
    ...parameters.map(([id]) => id),
  );
  const selfAlarms = ofType(cp, 'AWS::CloudWatch::Alarm');
  add(
    {
      id: 'self-alarms',
      shape: `[${quote(`${selfAlarms.length} self-monitoring alarms`)}]`,
      stack: 'controlPlane',
    },
    ...selfAlarms.map(([id]) => id),
  );

  for (const [id, rule] of rules) {
    const name = text(props(rule).Name);
    const ruleNode = `rule-${name.replace(prefix, '')}`;
    add(
      {
        id: ruleNode,
        shape: `{{${quote(`rule ${name.replace(prefix, '')}`)}}}`,
        stack: 'controlPlane',
      },
      id,
    );
    const pattern = props(rule).EventPattern as { source?: unknown } | undefined;
    for (const source of asList(pattern?.source)) {
      const [from, label] = SOURCE_NODES[text(source)] ?? [];
      if (from !== undefined && label !== undefined) edge(from, ruleNode, label, true);
    }
    for (const target of asList(props(rule).Targets)) {
      for (const to of nodeOfValue((target as { Arn?: unknown }).Arn))
        edge(ruleNode, to, '2 matched');
    }
  }
  for (const [, subscription] of ofType(cp, 'AWS::SNS::Subscription')) {
    for (const from of nodeOfValue(props(subscription).TopicArn)) {
      for (const to of nodeOfValue(props(subscription).Endpoint))
        edge(from, to, 'ElastiCache event', true);
    }
  }
  for (const [, alarm] of selfAlarms) {
    for (const to of nodeOfValue(props(alarm).AlarmActions)) edge('self-alarms', to, 'alarm');
  }

  // Who may do what: each policy's statements, from the role's owner to the resources.
  const ownerOf = new Map<string, string>();
  for (const [id, resource] of [...ofType(cp, 'AWS::Lambda::Function'), ...machines]) {
    const [role] = referencedIds(props(resource).Role ?? props(resource).RoleArn);
    const node = cpNodeOf.get(id);
    if (role !== undefined && node !== undefined) ownerOf.set(role, node);
  }
  for (const [, policy] of ofType(cp, 'AWS::IAM::Policy')) {
    const owners = referencedIds(props(policy).Roles).flatMap((role) => ownerOf.get(role) ?? []);
    const statements = asList((props(policy).PolicyDocument as { Statement?: unknown })?.Statement);
    for (const statement of statements as { Action?: unknown; Resource?: unknown }[]) {
      for (const action of asList(statement.Action).map(text)) {
        const label = ACTION_LABELS.find(([pattern]) => pattern.test(action))?.[1];
        if (label === undefined) continue;
        // A resource the templates name, else (a `*` or an ARN built from a name) the
        // service's node.
        const named = nodeOfValue(statement.Resource);
        const serviceNode = SERVICE_NODES[action.split(':')[0] ?? ''];
        const targetsOf = named.length > 0 || serviceNode === undefined ? named : [serviceNode];
        for (const owner of owners) {
          for (const to of new Set(targetsOf)) {
            // The numbered steps of one incident are triage's.
            const step = owner === 'triage' ? TRIAGE_STEPS[label] : undefined;
            edge(owner, to, step ?? label);
          }
        }
      }
    }
  }
  return render(stacks, [...nodes.values()], edges);
};

const render = (stacks: StackTemplates, nodes: readonly Node[], edges: readonly Edge[]): string => {
  const id = (node: string) => node.replace(/[^A-Za-z0-9]/g, '_');
  const nodeLines = (stack: Node['stack']) =>
    nodes.filter((node) => node.stack === stack).map((node) => `    ${id(node.id)}${node.shape}`);
  const edgeLine = ({ from, to, label, dotted }: Edge) => {
    const arrow = dotted ? '-.->' : '-->';
    const text = label === '' ? '' : `|${label}|`;
    return `  ${id(from)} ${arrow}${text} ${id(to)}`;
  };
  return [
    'flowchart LR',
    ...nodeLines('outside').map((line) => line.slice(2)),
    `  subgraph shop[${quote(stacks.shopName)}]`,
    ...nodeLines('shop'),
    '  end',
    `  subgraph controlPlane[${quote(stacks.controlPlaneName)}]`,
    ...nodeLines('controlPlane'),
    '  end',
    ...edges.map(edgeLine),
  ].join('\n');
};
