/**
 * The recovery physics the worst-case computation (rto.ts) and the game day's simulated shop
 * share: how long AWS (and the shop's instances) take to do what Rebound waits for. One set of
 * figures, so the game day's measured times and `npm run rto`'s worst case cannot drift apart.
 */

/** A new instance runs this long after launch (EC2 boot; not an AWS-documented figure: the simulator's). */
export const BOOT_SECONDS = { min: 30, max: 45 } as const;
/** Its app answers /health this long after it runs (the shop's start-up; the simulator's). */
export const APP_READY_SECONDS = { min: 20, max: 40 } as const;
/** AWS-FACTS: RDS Multi-AZ (instance) fails over automatically, typically in 60–120 s. */
export const RDS_FAILOVER_SECONDS = { min: 60, max: 120 } as const;
/**
 * ElastiCache promotes a replica this long after its primary fails (Multi-AZ with automatic
 * failover). Not in AWS-FACTS: the simulator's assumption, the same order as RDS's.
 */
export const CACHE_FAILOVER_SECONDS = { min: 30, max: 90 } as const;
/**
 * CloudWatch evaluates an alarm's period once its metrics have arrived: this long after the
 * period ends (metric arrival plus evaluation; CloudWatch metrics land ~1 min late at most).
 */
export const EVALUATION_DELAY_MS = 30_000;
/** The load of a normal day: this much CPU on each of the desired instances (the simulator's). */
export const NORMAL_CPU_PERCENT = 35;
/**
 * Target tracking's high alarm: this many one-minute datapoints above the target in a row
 * before it scales out (the alarm AWS creates for a target-tracking policy; the simulator
 * models scale-out only: scale-in waits 15 datapoints below, longer than any scenario needs).
 */
export const TARGET_TRACKING_HIGH_DATAPOINTS = 3;
