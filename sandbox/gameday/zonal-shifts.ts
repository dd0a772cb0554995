import { type ApiInput, field as member, SimulatedApiError } from './aws-api-kit.js';
import type { VirtualTime } from './virtual-time.js';

/**
 * ARC zonal shift as the game day's AWS runs it: the operations az-evacuation calls
 * (StartZonalShift, GetManagedResource, UpdateZonalShift, CancelZonalShift, ListZonalShifts),
 * their members, required fields and errors as botocore's model declares them
 * (arc-zonal-shift 2022-10-30, service-2.json), answered in the AWS SDK for JavaScript's member
 * names (the model's, camelCase).
 *
 * - A resource is managed (ARC can shift it) only when its service registered it: an ALB only
 *   with the attribute `zonal_shift.config.enabled` ("To use Application Load Balancers with
 *   zonal shift, you must enable ARC zonal shift integration in the Application Load Balancer
 *   attributes", ARC Developer Guide, "Application Load Balancers"; "Zonal shift is disabled by
 *   default and must be enabled on each Application Load Balancer", ELB User Guide, "Enable
 *   zonal shift for your Application Load Balancer"), an Auto Scaling group only with its
 *   AvailabilityZoneImpairmentPolicy `ZonalShiftEnabled`. Any other is ResourceNotFoundException.
 * - One shift per resource: "You can start a zonal shift for a specific load balancer only for a
 *   single Availability Zone" (ARC Developer Guide): a second is ConflictException
 *   ZonalShiftAlreadyExists.
 * - `expiresIn`: a whole number then `m` or `h` (model: pattern `([1-9][0-9]*)(m|h)`, length
 *   2–5), "active initially for up to three days (72 hours)" (StartZonalShiftRequest.expiresIn);
 *   an update sets a new expiry counted from now. Past its expiry a shift is EXPIRED, cancelled
 *   CANCELED; UpdateZonalShift and CancelZonalShift of a shift no longer ACTIVE are
 *   ConflictException ZonalShiftStatusNotActive.
 * - GetManagedResource's `appliedStatus`: a load balancer with no healthy target outside the AZ
 *   fails open and does not apply the shift (AWS-FACTS; az-evacuation's ConfirmShift relies on it).
 */

/** A resource ARC may shift: the shop's load balancer or its web group. */
export interface ManagedResource {
  readonly arn: string;
  readonly name: string;
  /** Registered with ARC by its service (the ALB attribute, the group's impairment policy). */
  readonly zonalShiftEnabled: boolean;
  /** Whether a shift away from `availabilityZone` (a name) takes effect now (false: fail-open). */
  readonly applies: (availabilityZone: string) => boolean;
}

type ShiftStatus = 'ACTIVE' | 'EXPIRED' | 'CANCELED';

interface ZonalShift {
  readonly zonalShiftId: string;
  readonly resourceIdentifier: string;
  /** The AZ ID (`use1-az1`): ARC names AZs by ID. */
  readonly awayFrom: string;
  readonly startTime: number;
  expiryTime: number;
  comment: string;
  canceled: boolean;
}

type Input = ApiInput;

/** The model's ExpiresIn: length 2–5, `([1-9][0-9]*)(m|h)`; at most 72 h (its documentation). */
const EXPIRES_IN = /^([1-9][0-9]*)(m|h)$/;
const MAX_EXPIRES_IN_MS = 72 * 3_600_000;
const STATUSES: readonly ShiftStatus[] = ['ACTIVE', 'EXPIRED', 'CANCELED'];

const validation = (reason: string, message: string) =>
  new SimulatedApiError('ValidationException', message, { reason });

/** A required string member within the model's length limits, or ValidationException. */
const requiredString = (input: Input, name: string, min: number, max: number): string => {
  const value = member(input, name);
  if (value === undefined || value === null)
    throw validation('MissingValue', `${name} is required`);
  if (typeof value !== 'string' || value.length < min || value.length > max)
    throw validation(
      'MissingValue',
      `${name} must be a string of ${min} to ${max} characters, got ${JSON.stringify(value)}`,
    );
  return value;
};

/** `expiresIn` in ms, or ValidationException InvalidExpiresIn. */
export const expiresInMs = (value: unknown): number => {
  const match =
    typeof value === 'string' && value.length >= 2 && value.length <= 5
      ? EXPIRES_IN.exec(value)
      : null;
  const ms =
    match === null ? Number.NaN : Number(match[1]) * (match[2] === 'h' ? 3_600_000 : 60_000);
  if (!(ms <= MAX_EXPIRES_IN_MS))
    throw validation(
      'InvalidExpiresIn',
      `expiresIn ${JSON.stringify(value)} must be a whole number of minutes (m) or hours (h), up to 72 hours`,
    );
  return ms;
};

export class SimulatedZonalShifts {
  readonly #shifts: ZonalShift[] = [];
  #count = 0;

  constructor(
    readonly time: VirtualTime,
    /** The shop's resources ARC knows, by ARN. */
    readonly resources: ReadonlyMap<string, ManagedResource>,
    /** The account's AZ IDs to AZ names (`use1-az1` → `us-east-1a`). */
    readonly azNames: Readonly<Record<string, string>>,
  ) {}

  /** The AZ names the resource's traffic is shifted away from now (an applied, active shift). */
  shiftedAway(resourceArn: string): Set<string> {
    const resource = this.resources.get(resourceArn);
    const names = this.#shifts
      .filter((s) => s.resourceIdentifier === resourceArn && this.#status(s) === 'ACTIVE')
      .map((s) => this.azNames[s.awayFrom] ?? s.awayFrom);
    return new Set(names.filter((name) => resource?.applies(name) === true));
  }

  start(input: Input) {
    const resourceIdentifier = requiredString(input, 'resourceIdentifier', 8, 1024);
    const awayFrom = requiredString(input, 'awayFrom', 0, 20);
    const expiresIn = member(input, 'expiresIn');
    if (expiresIn === undefined) throw validation('MissingValue', 'expiresIn is required');
    const comment = requiredString(input, 'comment', 0, 128);
    const ms = expiresInMs(expiresIn);
    this.#managed(resourceIdentifier);
    if (this.azNames[awayFrom] === undefined)
      throw validation(
        'InvalidAz',
        `${awayFrom} is not an Availability Zone ID of the resource (${Object.keys(this.azNames).join(', ')})`,
      );
    const active = this.#shifts.find(
      (s) => s.resourceIdentifier === resourceIdentifier && this.#status(s) === 'ACTIVE',
    );
    if (active !== undefined)
      throw new SimulatedApiError(
        'ConflictException',
        `zonal shift ${active.zonalShiftId} is already active for ${resourceIdentifier}`,
        { reason: 'ZonalShiftAlreadyExists', zonalShiftId: active.zonalShiftId },
      );
    this.#count += 1;
    const shift: ZonalShift = {
      zonalShiftId: `00000000-0000-4000-8000-${String(this.#count).padStart(12, '0')}`,
      resourceIdentifier,
      awayFrom,
      startTime: this.time.nowMs,
      expiryTime: this.time.nowMs + ms,
      comment,
      canceled: false,
    };
    this.#shifts.push(shift);
    return this.#zonalShift(shift);
  }

  update(input: Input) {
    const shift = this.#find(input);
    const expiresIn = member(input, 'expiresIn');
    const comment = member(input, 'comment');
    const ms = expiresIn === undefined ? undefined : expiresInMs(expiresIn);
    if (comment !== undefined && (typeof comment !== 'string' || comment.length > 128))
      throw validation('MissingValue', 'comment must be a string of at most 128 characters');
    this.#requireActive(shift);
    if (ms !== undefined) shift.expiryTime = this.time.nowMs + ms;
    if (typeof comment === 'string') shift.comment = comment;
    return this.#zonalShift(shift);
  }

  cancel(input: Input) {
    const shift = this.#find(input);
    this.#requireActive(shift);
    shift.canceled = true;
    return this.#zonalShift(shift);
  }

  list(input: Input) {
    const status = member(input, 'status');
    if (status !== undefined && !STATUSES.includes(status as ShiftStatus))
      throw validation('InvalidStatus', `status must be one of ${STATUSES.join(', ')}`);
    const maxResults = member(input, 'maxResults');
    if (
      maxResults !== undefined &&
      (!Number.isInteger(maxResults) || Number(maxResults) < 1 || Number(maxResults) > 100)
    )
      throw validation('MissingValue', 'maxResults must be a whole number from 1 to 100');
    const resource = member(input, 'resourceIdentifier');
    const items = this.#shifts
      .filter(
        (s) =>
          (status === undefined || this.#status(s) === status) &&
          (resource === undefined || s.resourceIdentifier === resource),
      )
      .slice(0, maxResults === undefined ? 100 : Number(maxResults))
      .map((s) => ({ ...this.#zonalShift(s), shiftType: 'ZONAL_SHIFT' }));
    return { items };
  }

  getManagedResource(input: Input) {
    const arn = requiredString(input, 'resourceIdentifier', 8, 1024);
    const resource = this.#managed(arn);
    const away = this.shiftedAway(arn);
    return {
      arn,
      name: resource.name,
      // "The key name is the Availability Zone where the resource is deployed. The value is 1 or 0."
      appliedWeights: Object.fromEntries(
        Object.entries(this.azNames).map(([id, name]) => [id, away.has(name) ? 0 : 1]),
      ),
      zonalShifts: this.#shifts
        .filter((s) => s.resourceIdentifier === arn && this.#status(s) === 'ACTIVE')
        .map((s) => {
          const { status: _status, ...shift } = this.#zonalShift(s);
          return {
            ...shift,
            appliedStatus: resource.applies(this.azNames[s.awayFrom] ?? s.awayFrom)
              ? 'APPLIED'
              : 'NOT_APPLIED',
            shiftType: 'ZONAL_SHIFT',
          };
        }),
      autoshifts: [],
      zonalAutoshiftStatus: 'DISABLED',
    };
  }

  #status(shift: ZonalShift): ShiftStatus {
    if (shift.canceled) return 'CANCELED';
    return this.time.nowMs >= shift.expiryTime ? 'EXPIRED' : 'ACTIVE';
  }

  #zonalShift(shift: ZonalShift) {
    return {
      zonalShiftId: shift.zonalShiftId,
      resourceIdentifier: shift.resourceIdentifier,
      awayFrom: shift.awayFrom,
      expiryTime: new Date(shift.expiryTime),
      startTime: new Date(shift.startTime),
      status: this.#status(shift),
      comment: shift.comment,
    };
  }

  #managed(arn: string): ManagedResource {
    const resource = this.resources.get(arn);
    if (resource === undefined || !resource.zonalShiftEnabled)
      throw new SimulatedApiError(
        'ResourceNotFoundException',
        `${arn} is not a managed resource: zonal shift is not enabled on it`,
      );
    return resource;
  }

  #find(input: Input): ZonalShift {
    const id = requiredString(input, 'zonalShiftId', 6, 36);
    const shift = this.#shifts.find((s) => s.zonalShiftId === id);
    if (shift === undefined)
      throw new SimulatedApiError('ResourceNotFoundException', `no zonal shift ${id}`);
    return shift;
  }

  #requireActive(shift: ZonalShift): void {
    const status = this.#status(shift);
    if (status !== 'ACTIVE')
      throw new SimulatedApiError(
        'ConflictException',
        `zonal shift ${shift.zonalShiftId} is ${status}, not ACTIVE`,
        { reason: 'ZonalShiftStatusNotActive', zonalShiftId: shift.zonalShiftId },
      );
  }
}
