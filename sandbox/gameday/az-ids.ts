/**
 * The account's AZ IDs for the game day: `use1-az1`… for the configured AZ names in order (AWS
 * Health and ARC name AZs by ID; each account maps them to names its own way).
 */
export const gameDayAzIds = (availabilityZones: readonly string[]): Record<string, string> =>
  Object.fromEntries(availabilityZones.map((az, index) => [`use1-az${index + 1}`, az]));
