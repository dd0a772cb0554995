import { describe, expect, it } from 'vitest';
import { CATALOG_READ, serverTiming, serverTimingDuration } from '../../shop/http/server-timing.js';

/** The Server-Timing header the product routes send (W3C Server Timing: name;dur=ms). */

describe('Server-Timing', () => {
  it('writes the duration in milliseconds and reads it back by name', () => {
    // Act
    const header = serverTiming(CATALOG_READ, 0.4567);

    // Assess
    expect(header).toBe('catalog;dur=0.457');
    expect(serverTimingDuration(header, CATALOG_READ)).toBe(0.457);
    expect(serverTimingDuration(`db;dur=3, ${header};desc="x"`, CATALOG_READ)).toBe(0.457);
  });

  it('is undefined when the header or the metric or its dur is missing', () => {
    expect(serverTimingDuration(undefined, CATALOG_READ)).toBeUndefined();
    expect(serverTimingDuration('db;dur=3', CATALOG_READ)).toBeUndefined();
    expect(serverTimingDuration('catalog;desc="hit"', CATALOG_READ)).toBeUndefined();
    expect(serverTimingDuration('catalog;dur=soon', CATALOG_READ)).toBeUndefined();
  });
});
