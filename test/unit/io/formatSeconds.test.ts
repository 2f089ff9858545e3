import { describe, expect, it } from 'vitest';
import { formatSeconds } from '../../../src/io/formatSeconds';

describe('formatSeconds', () => {
  it('picks the unit from the size, negative differences included', () => {
    expect(formatSeconds(2.345)).toBe('2.35 s');
    expect(formatSeconds(0.0463)).toBe('46.3 ms');
    expect(formatSeconds(4.2e-5)).toBe('42 µs');
    expect(formatSeconds(-0.0365713)).toBe('-36.6 ms');
    expect(formatSeconds(-1.5)).toBe('-1.50 s');
    expect(formatSeconds(Number.NaN)).toBe('—');
  });
});
