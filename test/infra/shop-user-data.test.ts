import { beforeAll, describe, expect, it } from 'vitest';
import type { BootParameters } from '../../shop/aws/boot-settings.js';
import {
  literalText,
  onlyResource,
  referencedIds,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The text a `cat > <path> <<'TAG'` here-document of the script writes to `path`. */
function heredoc(script: string, path: string): string {
  const match = new RegExp(`cat > ${path} <<'(\\w+)'\\n([\\s\\S]*?)\\n?\\1\\n`).exec(script);
  if (!match?.[2]) throw new Error(`no here-document writes ${path}`);
  return match[2];
}

/** `Key=value` lines of a systemd unit, every value of a key (Environment= repeats). */
function unitSettings(unit: string): Record<string, string[]> {
  const settings: Record<string, string[]> = {};
  for (const line of unit.split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) {
      settings[match[1]] = [...(settings[match[1]] ?? []), match[2]];
    }
  }
  return settings;
}

describe('the shop on the web tier (user data)', () => {
  let dev: SynthesizedShop;
  let script: string;
  let userData: unknown;
  beforeAll(() => {
    dev = synthShop();
    const template = onlyResource<{ LaunchTemplateData: { UserData: unknown } }>(
      dev.template,
      'AWS::EC2::LaunchTemplate',
    );
    userData = template.props.LaunchTemplateData.UserData;
    script = literalText(userData);
  });

  it('installs Node.js 24 from the AL2023 repositories and fetches nothing but the bundle', () => {
    // Prepare
    const { asset } = dev.shop.webTier.shopBundle;

    // Act
    const installs = script.split('\n').filter((line) => line.startsWith('dnf install'));
    const downloads = script.split('\n').filter((line) => /\b(curl|wget|aws s3)\b/.test(line));

    // Assess
    expect(installs).toContain('dnf install -y amazon-cloudwatch-agent nodejs24 unzip');
    expect(downloads).toEqual([
      `aws s3 cp 's3://cdk-hnb659fds-assets-\${AWS::AccountId}-us-east-1/${asset.s3ObjectKey}' '/opt/rebound-shop/shop.zip' --region us-east-1`,
      // The loopback wait for /health before the launch hook and cfn-signal.
      expect.stringMatching(/curl -fsS http:\/\/127\.0\.0\.1:8080\/health/),
      // The instance's own id from IMDSv2 (link-local: a token, then the id).
      expect.stringMatching(
        /^imds_token=\$\(curl -fsS -X PUT http:\/\/169\.254\.169\.254\/latest\/api\/token /,
      ),
      expect.stringMatching(
        /^instance_id=\$\(curl -fsS .* http:\/\/169\.254\.169\.254\/latest\/meta-data\/instance-id\)/,
      ),
    ]);
    expect(script).toContain('unzip -q -o /opt/rebound-shop/shop.zip -d /opt/rebound-shop/app');
  });

  it('runs the shop under systemd on Node 24 as its own user, restarted always, on the target group port', () => {
    // Prepare
    const targetGroup = onlyResource<{ Port: number; HealthCheckPath: string }>(
      dev.template,
      'AWS::ElasticLoadBalancingV2::TargetGroup',
    );
    const group = onlyResource<{ AutoScalingGroupName: string }>(
      dev.template,
      'AWS::AutoScaling::AutoScalingGroup',
    );

    // Act
    const unit = unitSettings(heredoc(script, '/etc/systemd/system/rebound-shop.service'));

    // Assess
    expect(unit.User).toEqual(['rebound-shop']);
    expect(script).toContain(
      'useradd --system --no-create-home --home-dir /nonexistent --shell /sbin/nologin rebound-shop',
    );
    expect(unit.Restart).toEqual(['always']);
    // Paced restarts, never given up: the shop exits when the database refuses a rotated
    // password, and only a restart reads the new one (shop/db/password-rejected.ts).
    expect(unit.RestartSec).toEqual(['5']);
    expect(unit.StartLimitIntervalSec).toEqual(['0']);
    expect(unit.ExecStart).toEqual([
      '/usr/bin/node-24 --enable-source-maps /opt/rebound-shop/app/server.mjs',
    ]);
    expect(unit.Environment).toEqual([
      'AWS_REGION=us-east-1',
      'SHOP_HOST=0.0.0.0',
      `SHOP_PORT=${targetGroup.props.Port}`,
      // The shop's own metrics (shop/emf.ts) to the agent's EMF listener, named by the group.
      'SHOP_EMF_ENDPOINT=tcp://127.0.0.1:25888',
      `SHOP_AUTO_SCALING_GROUP=${group.props.AutoScalingGroupName}`,
      // TLS to RDS, verified against the RDS CAs shipped in the bundle.
      'SHOP_DATABASE_CA_FILE=/opt/rebound-shop/app/rds-ca.pem',
      // The stylesheet the pages link by its content hash (shop/http/static-assets.ts).
      'SHOP_STATIC_DIR=/opt/rebound-shop/app/static',
    ]);
    expect(targetGroup.props.HealthCheckPath).toBe('/health');
    // Settings: built by root at each start into a root-only file on tmpfs, read by systemd.
    expect(unit.ExecStartPre).toEqual([
      '+/usr/bin/node-24 /opt/rebound-shop/app/boot-environment.mjs /etc/rebound-shop/parameters.json /run/rebound-shop/environment',
    ]);
    expect(unit.EnvironmentFile).toEqual(['-/run/rebound-shop/environment']);
    expect(unit.RuntimeDirectory).toEqual(['rebound-shop']);
    expect(unit.RuntimeDirectoryMode).toEqual(['0700']);
    expect(script).toContain('systemctl enable rebound-shop.service');
  });

  it("opens the CloudWatch agent's EMF listener for the shop's metrics, beside memory and disk", () => {
    // Act
    const agent = JSON.parse(heredoc(script, '/opt/aws/amazon-cloudwatch-agent/etc/rebound.json'));

    // Assess
    expect(agent.logs.metrics_collected).toEqual({ emf: {} });
    expect(Object.keys(agent.metrics.metrics_collected)).toEqual(['mem', 'disk']);
  });

  it('names the published SSM parameters the shop reads at boot, and carries no secret', () => {
    // Prepare
    const published = resourcesOf<{ Name: string }>(dev.template, 'AWS::SSM::Parameter').map(
      ({ props }) => props.Name,
    );
    const secrets = resourcesOf(dev.template, 'AWS::SecretsManager::Secret').map(({ id }) => id);

    // Act
    const names = JSON.parse(
      heredoc(script, '/etc/rebound-shop/parameters.json'),
    ) as BootParameters;

    // Assess
    expect(names).toEqual({
      databasePrimaryEndpoint: '/rebound/dev/db/primary-endpoint',
      databaseReplicaEndpoints: [
        '/rebound/dev/db/replica-1-endpoint',
        '/rebound/dev/db/replica-2-endpoint',
      ],
      databaseCredentialsSecret: '/rebound/dev/db/credentials-secret',
      databasePort: 5432,
      databaseName: 'shop',
      cachePrimaryEndpoint: '/rebound/dev/cache/primary-endpoint',
      cachePort: '/rebound/dev/cache/port',
      cacheAuthTokenSecret: '/rebound/dev/cache/auth-token-secret',
    });
    for (const name of [names.databaseReplicaEndpoints, Object.values(names)].flat(2)) {
      if (typeof name === 'string' && name.startsWith('/')) expect(published).toContain(name);
    }
    expect(JSON.stringify(userData)).not.toContain('resolve:secretsmanager');
    expect(referencedIds(userData).filter((id) => secrets.includes(id))).toEqual([]);
  });
});

describe('what the web instances may read for the shop', () => {
  let dev: SynthesizedShop;
  let statements: Statement[];
  beforeAll(() => {
    dev = synthShop();
    const role = onlyResource(dev.template, 'AWS::IAM::Role', {
      RoleName: 'rebound-dev-web-instance',
    });
    statements = onlyResource<{ PolicyDocument: { Statement: Statement[] } }>(
      dev.template,
      'AWS::IAM::Policy',
      { Roles: [{ Ref: role.id }] },
    ).props.PolicyDocument.Statement;
  });

  const withAction = (prefix: string) =>
    statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith(prefix)),
    );

  it('GetParameters on exactly the parameters named in its user data', () => {
    // Prepare
    const byName = Object.fromEntries(
      resourcesOf<{ Name: string }>(dev.template, 'AWS::SSM::Parameter').map(({ id, props }) => [
        props.Name,
        id,
      ]),
    );
    const expected = [
      'db/primary-endpoint',
      'db/replica-1-endpoint',
      'db/replica-2-endpoint',
      'db/credentials-secret',
      'cache/primary-endpoint',
      'cache/port',
      'cache/auth-token-secret',
    ].map((name) => byName[`/rebound/dev/${name}`]);

    // Act
    const ssm = withAction('ssm:');

    // Assess: not the assets-bucket parameter, nothing by path or wildcard.
    expect(ssm).toHaveLength(1);
    expect(ssm[0]?.Action).toBe('ssm:GetParameters');
    expect(referencedIds(ssm[0]?.Resource).sort()).toEqual([...expected].sort());
    expect(literalText(ssm[0]?.Resource)).not.toContain('*');
  });

  it('the values of the database credentials and the cache AUTH token secrets, and no other', () => {
    // Prepare
    const secret = (name: string) =>
      onlyResource(dev.template, 'AWS::SecretsManager::Secret', { Name: name }).id;

    // Act
    const read = withAction('secretsmanager:');

    // Assess
    expect(read.map((statement) => statement.Action)).toEqual([
      ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    ]);
    expect(read.map((statement) => statement.Resource)).toEqual([
      { Ref: secret('rebound-dev-db-credentials') },
      { Ref: secret('rebound-dev-cache-auth-token') },
    ]);
    // Both use the AWS managed key: no key grant is needed, and none is given.
    expect(withAction('kms:')).toEqual([]);
  });
});
