/**
 * The configurations every template check covers (cdk-nag in test/infra/nag.test.ts, cfn-lint,
 * the SDK-integration contract and the ASL schema): the defaults, a production stage with a
 * domain, alert recipients, zonal autoshift and the game-day stack, and another region with one NAT gateway. CDK context on top of
 * the defaults in infra/config.ts (cdk.json is not read).
 */
export const CHECKED_CONFIGURATIONS = {
  default: {},
  'domain, prod, alert recipients, zonal autoshift, game days': {
    stage: 'prod',
    domainName: 'shop.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    alertEmails: 'ops@example.com',
    alertSmsNumbers: '+15555550100',
    zonalAutoshift: 'on',
    gameDays: 'true',
  },
  'eu-west-1, one NAT gateway': { region: 'eu-west-1', natGateways: '1' },
} as const satisfies Readonly<Record<string, Readonly<Record<string, string>>>>;
