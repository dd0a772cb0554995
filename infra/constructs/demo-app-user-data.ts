import * as ec2 from 'aws-cdk-lib/aws-ec2';

export interface DemoAppUserDataProps {
  readonly appPort: number;
  /** The CloudWatch agent namespace the memory and disk metrics go to. */
  readonly agentNamespace: string;
  readonly stage: string;
}

/**
 * User data for the web tier: the CloudWatch agent (memory and disk, aggregated per Auto
 * Scaling group so target tracking can use them) and a tiny demo shop served by Python on the
 * app port. `/health` is deliberately shallow: it only says the process is up. A deep check
 * that failed with the database would make the ASG replace every healthy instance at once.
 */
export function demoAppUserData(props: DemoAppUserDataProps): ec2.UserData {
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
  const app = `
import http.server, json, socket, urllib.request

def instance_identity():
    try:
        token = urllib.request.urlopen(urllib.request.Request(
            "http://169.254.169.254/latest/api/token", method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"}), timeout=1).read().decode()
        doc = urllib.request.urlopen(urllib.request.Request(
            "http://169.254.169.254/latest/dynamic/instance-identity/document",
            headers={"X-aws-ec2-metadata-token": token}), timeout=1).read()
        return json.loads(doc)
    except Exception:
        return {"instanceId": socket.gethostname(), "availabilityZone": "unknown"}

IDENTITY = instance_identity()

class Shop(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self.reply(200, "application/json", json.dumps({"status": "ok"}))
        else:
            page = ("<!doctype html><title>Rebound shop</title><h1>Rebound demo shop (${props.stage})</h1>"
                    f"<p>Served by {IDENTITY['instanceId']} in {IDENTITY['availabilityZone']}</p>")
            self.reply(200, "text/html; charset=utf-8", page)

    def reply(self, status, content_type, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("0.0.0.0", ${props.appPort}), Shop).serve_forever()
`;
  const unit = `[Unit]
Description=Rebound demo shop
After=network-online.target
[Service]
ExecStart=/usr/bin/python3 /opt/rebound/shop.py
Restart=always
DynamicUser=yes
[Install]
WantedBy=multi-user.target
`;
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    'dnf install -y amazon-cloudwatch-agent',
    `cat > /opt/aws/amazon-cloudwatch-agent/etc/rebound.json <<'JSON'\n${JSON.stringify(agentConfig, null, 2)}\nJSON`,
    '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/rebound.json',
    'mkdir -p /opt/rebound',
    `cat > /opt/rebound/shop.py <<'PY'${app}PY`,
    `cat > /etc/systemd/system/rebound-shop.service <<'UNIT'\n${unit}UNIT`,
    'systemctl daemon-reload',
    'systemctl enable --now rebound-shop',
  );
  return userData;
}
