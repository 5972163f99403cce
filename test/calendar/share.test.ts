/**
 * placeShare: where each worker's events go when two workers each rendered the events of their share
 * of the bookings (share.ts). The merge must give selectEntries' order: start, then item id.
 */
import { describe, expect, it } from 'vitest';
import { placeShare, type ShareKeys } from '../../src/main/core/calendar/share.ts';

function keys(events: Array<[number, string, number]>): ShareKeys {
  let at = 0;
  return {
    startMs: Float64Array.from(events.map((e) => e[0])),
    ids: events.map((e) => e[1]).join(''),
    idEnds: Uint32Array.from(events.map((e) => (at += e[1].length))),
    sizes: Uint32Array.from(events.map((e) => e[2])),
  };
}

describe('placeShare', () => {
  it('merges by start, equal starts by item id, and gives each share its runs at their offsets', () => {
    // Share 0: a1@10, b2@20, d@30; share 1: a9@10, b10@20, f@40 (sizes 100, 200, 300 / 10, 20, 40).
    const s0 = keys([[10, 'a1', 100], [20, 'b2', 200], [30, 'd', 300]]);
    const s1 = keys([[10, 'a9', 10], [20, 'b10', 20], [40, 'f', 40]]);
    // Order: a1 (s0), a9 (s1), b10 (s1, "b10" < "b2"), b2 (s0), d (s0), f (s1); head of 7 octets.
    expect(placeShare([s0, s1], 0, 7)).toEqual([
      { position: 7, from: 0, to: 1 },
      { position: 7 + 100 + 10 + 20, from: 1, to: 3 },
    ]);
    expect(placeShare([s0, s1], 1, 7)).toEqual([
      { position: 107, from: 0, to: 2 },
      { position: 107 + 30 + 500, from: 2, to: 3 },
    ]);
  });

  it('places an empty share nowhere and the other share in one run', () => {
    const none = keys([]);
    const all = keys([[1, 'x', 5], [2, 'y', 6]]);
    expect(placeShare([none, all], 0, 3)).toEqual([]);
    expect(placeShare([none, all], 1, 3)).toEqual([{ position: 3, from: 0, to: 2 }]);
  });
});
