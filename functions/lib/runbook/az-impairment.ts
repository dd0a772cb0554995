import * as z from 'zod/mini';
import type { Incident } from '../core/incident.js';
import { nonEmptyText } from '../events/schema-kit.js';

/**
 * What runbooks know of an impaired AZ: the incidents holding it impaired (AWS Health, through
 * triage, an ARC autoshift of the shop included) and the active ARC zonal shifts away from it
 * (a person's, a practice run, Rebound's own evacuation; ListZonalShifts lists no autoshift).
 * ARC names AZs by their ID (`use1-az2`).
 */

/** One active zonal shift, as a ListZonalShifts state (SDK integration, PascalCase) returns it. */
export const ActiveShiftSchema = z.object({
  ZonalShiftId: nonEmptyText(36),
  AwayFrom: nonEmptyText(20),
  ResourceIdentifier: z.optional(nonEmptyText(1024)),
  Status: z.optional(nonEmptyText(20)),
  /** ZONAL_SHIFT, PRACTICE_RUN, FIS_EXPERIMENT or ZONAL_AUTOSHIFT (botocore's ShiftType enum). */
  ShiftType: z.optional(nonEmptyText(20)),
});
export type ActiveShift = z.infer<typeof ActiveShiftSchema>;

/** `ListZonalShifts … Status: ACTIVE` as a state puts it: `{ active: Items }`. */
export const ActiveShiftsSchema = z.object({ active: z.array(ActiveShiftSchema) });

const isManualPart = (key: string): boolean => key.startsWith('manual:');

/**
 * Whether the incident still holds `az` impaired. AWS Health decides: once the incident has an
 * az-impairment part for the AZ from AWS Health, the AZ is impaired while such a part is active
 * (triage resolves it when AWS Health closes the event). A run started by hand records its own
 * part, which no event closes: without any AWS Health part the AZ stays impaired until the
 * incident is resolved.
 */
export const azStillImpaired = (incident: Incident, az: string): boolean => {
  if (incident.status === 'resolved') return false;
  const reported = incident.parts.filter(
    (part) =>
      part.kind === 'az-impairment' &&
      part.resource.type === 'availability-zone' &&
      part.resource.id === az &&
      !isManualPart(part.key),
  );
  return reported.length === 0 || reported.some((part) => part.state === 'active');
};

/** The AZ ID of `name` in this account; an unreadable or unknown mapping throws (escalates). */
export const zoneIdOf = (zoneNames: Readonly<Record<string, string>>, name: string): string => {
  const id = Object.keys(zoneNames).find((zoneId) => zoneNames[zoneId] === name);
  if (id === undefined) {
    throw new Error(
      `cannot find the AZ ID of ${name} (DescribeAvailabilityZones knows ${Object.values(zoneNames).join(', ') || 'no AZ'}): a zonal shift names the AZ by its ID`,
    );
  }
  return id;
};
