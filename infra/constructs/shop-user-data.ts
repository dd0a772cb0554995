import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { BootParameters } from '../../shop/aws/boot-settings.js';
import {
  SHOP_BOOT_ENVIRONMENT_FILE,
  SHOP_DATABASE_CA_FILE,
  SHOP_SERVER_FILE,
  SHOP_STATIC_DIR,
} from '../shop-bundling.js';

export interface ShopUserDataProps {
  readonly appPort: number;
  /** The CloudWatch agent namespace the memory and disk metrics go to. */
  readonly agentNamespace: string;
  /** The shop's bundle (infra/constructs/shop-bundle.ts): a zip in the CDK assets bucket. */
  readonly bundle: s3assets.Asset;
  /** The SSM parameters the shop's settings are read from at each start (names only). */
  readonly bootParameters: BootParameters;
  readonly region: string;
  /** The web group's name, the dimension the shop's own metrics carry (shop/emf.ts). */
  readonly autoScalingGroupName: string;
}

/** The CloudWatch agent's EMF listener, its default socket (AWS docs, "Using the CloudWatch agent to send embedded metric format logs"). */
export const AGENT_EMF_ENDPOINT = 'tcp://127.0.0.1:25888';

/** The user the shop runs as: a system user without a shell or a home. */
export const SHOP_USER = 'rebound-shop';
export const SHOP_UNIT = 'rebound-shop.service';
const SHOP_DIR = '/opt/rebound-shop';
const PARAMETERS_FILE = '/etc/rebound-shop/parameters.json';
/** On tmpfs, created and removed by systemd with the service (RuntimeDirectory). */
const ENVIRONMENT_FILE = '/run/rebound-shop/environment';

/**
 * Node.js 24 from the AL2023 package repositories: AL2023 ships Node.js 20, 22 and 24 as
 * namespaced packages `nodejs{MAJOR}` whose executable is `/usr/bin/node-{MAJOR}`, which stays
 * on that major whatever `alternatives` makes `node` point to ("Node.js in AL2023",
 * https://docs.aws.amazon.com/linux/al2023/ug/nodejs.html).
 */
export const NODE_PACKAGE = 'nodejs24';
export const NODE_BIN = '/usr/bin/node-24';

/**
 * User data for the web tier: the CloudWatch agent (memory and disk, aggregated per Auto
 * Scaling group so target tracking can use them) and the shop, fetched from the CDK assets
 * bucket and run by systemd on Node.js 24. Nothing is downloaded but AL2023 packages and the
 * bundle. `/health` is the shop's shallow check: a deep one that failed with the database would
 * make the ASG replace every healthy instance at once.
 */
export function shopUserData(props: ShopUserDataProps): ec2.UserData {
  const agentConfig = {
    agent: { metrics_collection_interval: 60 },
    metrics: {
      namespace: props.agentNamespace,
      // CloudWatch agent placeholders, filled in on the instance (not JavaScript templates).
      append_dimensions: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: agent placeholder
        AutoScalingGroupName: '${aws:AutoScalingGroupName}',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: agent placeholder
        InstanceId: '${aws:InstanceId}',
      },
      aggregation_dimensions: [['AutoScalingGroupName'], ['InstanceId']],
      metrics_collected: {
        mem: { measurement: ['mem_used_percent'] },
        disk: { measurement: ['used_percent'], resources: ['/'], drop_device: true },
      },
    },
    // The EMF listener on tcp:25888 (its default) for the shop's metrics (shop/emf.ts): AWS docs,
    // "Using the CloudWatch agent to send embedded metric format logs" (agent 1.230621.0 or later).
    logs: { metrics_collected: { emf: {} } },
  };
  const app = `${SHOP_DIR}/app`;
  // systemd reads an EnvironmentFile just before each process it starts, so the file that
  // ExecStartPre writes is what ExecStart gets (systemd.exec(5), EnvironmentFile=). The "+"
  // runs ExecStartPre as root: the file stays root-only (0600) on tmpfs, and systemd hands the
  // values to the shop's environment. Each (re)start reads the settings afresh: that is how a
  // rotated database password reaches the shop, which exits when PostgreSQL refuses the old one
  // (shop/db/password-rejected.ts). Restarts are paced, never given up: RestartSec=5 holds a
  // wrong password to one attempt (a few API reads, one login) per 5 s, while a rotation costs
  // about 5 s of one instance. StartLimitIntervalSec=0 because the default limit (5 starts in
  // 10 s, systemd.unit(5)) is never reached at that pace anyway, and a unit that gave up would
  // leave the instance failing its health check until the ASG replaces it, into the same loop.
  const unit = `[Unit]
Description=Rebound shop
Wants=network-online.target
After=network-online.target
StartLimitIntervalSec=0
[Service]
User=${SHOP_USER}
Group=${SHOP_USER}
Environment=AWS_REGION=${props.region}
Environment=SHOP_HOST=0.0.0.0
Environment=SHOP_PORT=${props.appPort}
Environment=SHOP_EMF_ENDPOINT=${AGENT_EMF_ENDPOINT}
Environment=SHOP_AUTO_SCALING_GROUP=${props.autoScalingGroupName}
Environment=SHOP_DATABASE_CA_FILE=${app}/${SHOP_DATABASE_CA_FILE}
Environment=SHOP_STATIC_DIR=${app}/${SHOP_STATIC_DIR}
RuntimeDirectory=rebound-shop
RuntimeDirectoryMode=0700
ExecStartPre=+${NODE_BIN} ${app}/${SHOP_BOOT_ENVIRONMENT_FILE} ${PARAMETERS_FILE} ${ENVIRONMENT_FILE}
EnvironmentFile=-${ENVIRONMENT_FILE}
ExecStart=${NODE_BIN} --enable-source-maps ${app}/${SHOP_SERVER_FILE}
Restart=always
RestartSec=5
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
[Install]
WantedBy=multi-user.target
`;
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    `dnf install -y amazon-cloudwatch-agent ${NODE_PACKAGE} unzip`,
    `cat > /opt/aws/amazon-cloudwatch-agent/etc/rebound.json <<'JSON'\n${JSON.stringify(agentConfig, null, 2)}\nJSON`,
    '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/rebound.json',
    `useradd --system --no-create-home --home-dir /nonexistent --shell /sbin/nologin ${SHOP_USER}`,
  );
  // The AWS CLI of the AL2023 AMI, with the instance role (s3:GetObject on this key only).
  const zip = userData.addS3DownloadCommand({
    bucket: props.bundle.bucket,
    bucketKey: props.bundle.s3ObjectKey,
    localFile: `${SHOP_DIR}/shop.zip`,
    region: props.region,
  });
  userData.addCommands(
    // Root-owned and read-only for the shop's user.
    `unzip -q -o ${zip} -d ${app}`,
    `rm ${zip}`,
    `chmod -R u=rwX,go=rX ${SHOP_DIR}`,
    `mkdir -p $(dirname ${PARAMETERS_FILE})`,
    `cat > ${PARAMETERS_FILE} <<'JSON'\n${JSON.stringify(props.bootParameters, null, 2)}\nJSON`,
    `cat > /etc/systemd/system/${SHOP_UNIT} <<'UNIT'\n${unit}UNIT`,
    'systemctl daemon-reload',
    // Not waiting: a start that fails (settings not readable yet) is retried by systemd, and the
    // /health wait below decides what CloudFormation is told.
    `systemctl enable ${SHOP_UNIT}`,
    `systemctl start --no-block ${SHOP_UNIT}`,
  );
  return userData;
}
