/** What every simulated AWS API shares: its errors and how it reads a request's members. */

/**
 * An error an AWS API answers with: its error shape (`DBInstanceNotFoundFault`) and the members
 * the shape declares besides its message (ARC's ConflictException `reason`, `zonalShiftId`).
 */
export class SimulatedApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly members: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export type ApiInput = Readonly<Record<string, unknown>>;

/**
 * `input[name]`, whatever the case of the member name (`DBInstanceIdentifier` and Step
 * Functions' `DbInstanceIdentifier`, ARC's `zonalShiftId` and its `ZonalShiftId` alike).
 */
export const field = (input: ApiInput, name: string): unknown => {
  const key = Object.keys(input).find(
    (candidate) => candidate.toLowerCase() === name.toLowerCase(),
  );
  return key === undefined ? undefined : input[key];
};
