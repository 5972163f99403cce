// The availability answer read one item at a time (sync/availability-body.ts) gives what a whole
// JSON.parse gives, whatever the order of its keys, the spaces, escapes, or other keys beside the lists.
import { describe, expect, it } from 'vitest';
import { AvailabilityShapeError, availabilityItems } from '../../src/main/core/sync/availability-body.ts';

const items = (text: string): Array<{ list: string; item: Record<string, unknown> }> => [...availabilityItems(text)];

describe('the availability answer read item by item', () => {
  it('gives the items of both lists, each as JSON.parse gives it', () => {
    const rules = [
      { id: 'avr_1', offeringId: 'off_1', dayOfWeek: 1, startTime: '10:00', endTime: '19:00', slotMinutes: 60, capacity: 2, validFrom: null, validUntil: null },
      { id: 'avr_"2}', offeringId: 'off_\\1{', dayOfWeek: 2, startTime: '09:00', endTime: '12:00', nested: { a: [1, { b: ']' }] } },
    ];
    const exceptions = [{ id: 'ave_1', offeringId: 'off_1', kind: 'CLOSED', date: '2026-12-24', reason: 'Nöël \u2603 "closed"' }];
    const body = { tenant: { name: 'x', list: [1, 2] }, exceptions, note: 'rules', count: 3, flag: null, rules };
    for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2), JSON.stringify({ rules, exceptions: null })]) {
      const parsed = JSON.parse(text) as { rules: unknown[]; exceptions: unknown[] | null };
      const expected = [...(parsed.exceptions ?? []).map((item) => ({ list: 'exceptions', item })), ...parsed.rules.map((item) => ({ list: 'rules', item }))];
      const got = items(text);
      expect(got.sort((a, b) => a.list.localeCompare(b.list))).toEqual(expected.sort((a, b) => a.list.localeCompare(b.list)));
    }
    expect(items('{"rules":[],"exceptions":[]}')).toEqual([]);
  });

  it('refuses what is not an object with a rules list, cut short or not JSON', () => {
    for (const text of ['[]', '', 'not json', '{"exceptions":[]}', '{"rules":[{"id":"a"}', '{"rules":[{"id":"a"},', '{"rules":[1]}', '{"rules":[{"id":"a}]}']) {
      expect(() => items(text), text).toThrow(AvailabilityShapeError);
    }
  });
});
