import type { ResourceRef } from './signal.js';

/**
 * AWS console deep links for the resources an alert names. Pure: built from ids and the region
 * only (no account id is known here), so resources known only by name link to a filtered list.
 */

const home = (service: string, region: string): string =>
  `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;

/**
 * Load balancers and target groups arrive as a name, an ARN or the CloudWatch dimension form
 * (`app/<name>/<id>`, `targetgroup/<name>/<id>`); the console searches by name.
 */
const elbName = (id: string): string => {
  const path = id.startsWith('arn:') ? id.split(':').slice(5).join(':') : id;
  const parts = path.split('/');
  if (parts[0] === 'loadbalancer') parts.shift();
  return parts.length >= 3 ? (parts[1] ?? id) : id;
};

/** Longest id put in a link: ARNs are at most 2048 characters. */
const MAX_ID = 2048;

/** Encodes an id for a URL; lone surrogates (which encodeURIComponent rejects) become U+FFFD. */
const code = (value: string): string => encodeURIComponent(value.slice(0, MAX_ID).toWellFormed());

/** ARNs stay readable (the console routes on them verbatim); anything odd is encoded. */
const arn = (value: string): string =>
  /^arn:[A-Za-z0-9:/_+=,.@-]{1,2044}$/.test(value) ? value : code(value);

/** Console page of `resource`, or undefined when the console has no page for it. */
export const consoleLink = (resource: ResourceRef, region: string): string | undefined => {
  const { id } = resource;
  switch (resource.type) {
    case 'ec2-instance':
      return `${home('ec2', region)}#InstanceDetails:instanceId=${code(id)}`;
    case 'auto-scaling-group':
      return `${home('ec2', region)}#AutoScalingGroupDetails:id=${code(id)};view=details`;
    case 'db-instance':
      return `${home('rds', region)}#database:id=${code(id)};is-cluster=false`;
    case 'cache-replication-group':
      return `${home('elasticache', region)}#/redis/${code(id)}`;
    case 'load-balancer':
      return `${home('ec2', region)}#LoadBalancers:search=${code(elbName(id))}`;
    case 'target-group':
      return `${home('ec2', region)}#TargetGroups:search=${code(elbName(id))}`;
    case 'distribution':
      // CloudFront is global: its console lives outside any region.
      return `https://console.aws.amazon.com/cloudfront/v4/home#/distributions/${code(id)}`;
    case 'alarm':
      return `${home('cloudwatch', region)}#alarmsV2:alarm/${code(id)}`;
    case 'state-machine':
      return id.startsWith('arn:')
        ? `${home('states', region)}#/statemachines/view/${arn(id)}`
        : `${home('states', region)}#/statemachines`;
    case 'availability-zone':
      // AZ impairments are announced on the AWS Health dashboard.
      return 'https://health.aws.amazon.com/health/home#/account/dashboard/open-issues';
    case 'cache-node':
    case 'other':
      return undefined;
  }
};

/** Console page of one Step Functions execution (its graph, events and input/output). */
export const executionConsoleLink = (executionArn: string, region: string): string =>
  `${home('states', region)}#/v2/executions/details/${arn(executionArn)}`;
