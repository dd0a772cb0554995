/**
 * The composite alarm the shop stack deploys for zonal autoshift's practice runs
 * (infra/constructs/zonal-autoshift.ts): ALARM while any critical alarm of the shop is. Triage
 * hears each member alarm itself, so this one only repeats them and is not taken in.
 */
export const practiceRunHealthAlarmName = (namePrefix: string): string =>
  `${namePrefix}-practice-run-health`;
