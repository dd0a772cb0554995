/**
 * The web tier's CloudWatch namespace: the CloudWatch agent's metrics (memory, disk) and the
 * shop's own EMF metrics (shop/emf.ts) share it and the AutoScalingGroupName dimension, so every
 * alarm on them names the web group and triage ties it to the group. One constant for the agent's
 * configuration (infra/constructs/web-tier.ts), the shop, its alarms, replace-unhealthy-instance's
 * Metrics Insights query and the game day's simulated agent.
 */
export const WEB_TIER_NAMESPACE = 'Rebound/WebTier';
