import { describe, expect, it } from 'vitest';
import { formatDuration, formatMoney, fromZonedInput, parseMoneyInput, toZonedInput, tzOffsetMinutes, zonesDiffer, addDays } from './format.ts';

describe('time zones', () => {
  it('computes offsets across DST', () => {
    expect(tzOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Europe/Madrid')).toBe(60);
    expect(tzOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Europe/Madrid')).toBe(120);
    expect(tzOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240);
  });
  it('round-trips wall clock and instant', () => {
    expect(fromZonedInput('2026-07-15T09:30', 'Europe/Madrid')).toBe('2026-07-15T07:30:00.000Z');
    expect(toZonedInput('2026-07-15T07:30:00.000Z', 'Europe/Madrid')).toBe('2026-07-15T09:30');
    expect(fromZonedInput('2026-03-29T04:00', 'Europe/Madrid')).toBe('2026-03-29T02:00:00.000Z');
    expect(fromZonedInput('nope', 'UTC')).toBeNull();
  });
  it('knows when zones differ', () => {
    expect(zonesDiffer('Europe/Madrid', 'Europe/Paris', new Date())).toBe(false);
    expect(zonesDiffer('Europe/Madrid', 'America/New_York', new Date())).toBe(true);
  });
  it('adds days', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });
});

describe('numbers', () => {
  it('formats money', () => {
    expect(formatMoney(12345, 'EUR', 'en')).toBe('€123.45');
  });
  it('parses money input', () => {
    expect(parseMoneyInput('12,5')).toBe(1250);
    expect(parseMoneyInput('12.345')).toBeNull();
    expect(parseMoneyInput('-1')).toBeNull();
  });
  it('formats durations', () => {
    expect(formatDuration(5 * 60_000, 'en')).toBe('5m');
    expect(formatDuration(185 * 60_000, 'en')).toBe('3h 5m');
    expect(formatDuration(50 * 3600_000, 'en')).toBe('2d 2h');
    expect(formatDuration(20_000, 'en')).toBe('< 1m');
  });
});
