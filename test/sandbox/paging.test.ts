/**
 * Paging and the change cursor on a generated seed (2,000 bookings, 50 offerings): default and
 * clamped limits, walking nextCursor, change order, the incremental change feed, filters combined
 * with the cursor, deletes in the feed. Also checks the generated seed's counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectListShape, expectOk, listAll, startHarness } from './harness.ts';
import type { Harness, Json } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ seed: { bookings: 2000, offerings: 50 } });
});
afterAll(async () => {
  await h?.dispose();
});

const ids = (rows: Json[]): string[] => rows.map((x) => x.id as string);

describe('generated seed', () => {
  it('has 2,000 bookings and 50 offerings for the tenant', async () => {
    const b = await listAll(h, '/v1/api/bookings');
    expect(b.items.length).toBe(2000);
    expect(new Set(ids(b.items)).size).toBe(2000);
    expect(b.pages).toBe(4);
    const o = await listAll(h, '/v1/api/offerings?status=ALL&includeDeleted=true');
    expect(o.items.length).toBe(50);
  });
});

describe('limit', () => {
  it('defaults to 50', async () => {
    const body = expectOk(await h.api('GET', '/v1/api/bookings'));
    expectListShape(body);
    expect(body.data.length).toBe(50);
    expect(body.hasMore).toBe(true);
    expect(body.nextCursor).toBeTypeOf('string');
  });

  it('clamps to 500', async () => {
    const body = expectOk(await h.api('GET', '/v1/api/bookings?limit=1000'));
    expect(body.data.length).toBe(500);
    expect(body.hasMore).toBe(true);
    expect(expectOk(await h.api('GET', '/v1/api/bookings?limit=501')).data.length).toBe(500);
    expect(expectOk(await h.api('GET', '/v1/api/bookings?limit=7')).data.length).toBe(7);
  });

  it('rejects limit=0 and non-numeric limits with 400', async () => {
    expectError(await h.api('GET', '/v1/api/bookings?limit=0'), 400, 'BAD_REQUEST');
    expectError(await h.api('GET', '/v1/api/bookings?limit=ten'), 400, 'BAD_REQUEST');
    expectError(await h.api('GET', '/v1/api/offerings?limit=0'), 400, 'BAD_REQUEST');
  });
});

describe('walking nextCursor', () => {
  it('returns every record exactly once, in the same change order whatever the page size', async () => {
    const big = await listAll(h, '/v1/api/bookings', { limit: 500 });
    const small = await listAll(h, '/v1/api/bookings', { limit: 137 });
    expect(small.pages).toBe(Math.ceil(2000 / 137));
    expect(ids(small.items)).toEqual(ids(big.items));
    expect(new Set(ids(small.items)).size).toBe(2000);
  });

  it('answers an empty page with the same cursor and hasMore false at the end', async () => {
    const all = await listAll(h, '/v1/api/bookings');
    const end = expectOk(await h.api('GET', `/v1/api/bookings?cursor=${encodeURIComponent(all.lastCursor!)}`));
    expectListShape(end);
    expect(end.data).toEqual([]);
    expect(end.nextCursor).toBe(all.lastCursor);
    expect(end.hasMore).toBe(false);
  });

  it('rejects a malformed cursor with 400', async () => {
    expectError(await h.api('GET', '/v1/api/bookings?cursor=%%%garbage'), 400, 'BAD_REQUEST');
  });
});

describe('change feed', () => {
  it('after one change, listing from the saved cursor returns exactly that record, whole', async () => {
    const all = await listAll(h, '/v1/api/bookings');
    const saved = all.lastCursor!;
    const target = all.items[700];
    const patched = expectOk(await h.api('PATCH', `/v1/api/bookings/${target.id}`, { body: { notes: 'changed for the feed' } }));
    expect(patched.version).toBe(target.version + 1);

    const feed = expectOk(await h.api('GET', `/v1/api/bookings?cursor=${encodeURIComponent(saved)}`));
    expect(ids(feed.data)).toEqual([target.id]);
    expect(feed.data[0]).toEqual(patched);
    expect(feed.hasMore).toBe(false);
    expect(feed.nextCursor).not.toBe(saved);
    const quiet = expectOk(await h.api('GET', `/v1/api/bookings?cursor=${encodeURIComponent(feed.nextCursor)}`));
    expect(quiet.data).toEqual([]);

    // The changed record moved to the end of the order and still appears once.
    const again = await listAll(h, '/v1/api/bookings');
    expect(again.items.length).toBe(2000);
    expect(again.items[again.items.length - 1].id).toBe(target.id);
    expect(ids(again.items).filter((x) => x === target.id).length).toBe(1);
  });

  it('reports several changes in the order they were made', async () => {
    const all = await listAll(h, '/v1/api/bookings');
    const saved = all.lastCursor!;
    const picks = [all.items[5], all.items[1500], all.items[42]];
    for (const p of picks) expectOk(await h.api('PATCH', `/v1/api/bookings/${p.id}`, { body: { notes: `n-${p.id}` } }));
    // Change one of them again: it moves behind the others.
    expectOk(await h.api('PATCH', `/v1/api/bookings/${picks[0].id}`, { body: { notes: 'twice' } }));
    const feed = await listAll(h, '/v1/api/bookings', { limit: 2, cursor: saved });
    expect(feed.pages).toBe(2);
    expect(ids(feed.items)).toEqual([picks[1].id, picks[2].id, picks[0].id]);
    expect(feed.items[2].notes).toBe('twice');
  });

  it('combines a status filter with the cursor', async () => {
    const all = await listAll(h, '/v1/api/bookings');
    const pendingAll = all.items.filter((b) => b.status === 'PENDING');
    expect(pendingAll.length).toBeGreaterThan(0);
    const pending = await listAll(h, '/v1/api/bookings?status=PENDING', { limit: 50 });
    expect(ids(pending.items)).toEqual(ids(pendingAll));

    const saved = pending.lastCursor!;
    const target = pendingAll[0];
    expectOk(await h.api('POST', `/v1/api/bookings/${target.id}/approve`, { body: {} }));
    // The approved booking is no longer PENDING: the PENDING feed from the cursor doesn't show it...
    const pFeed = expectOk(await h.api('GET', `/v1/api/bookings?status=PENDING&cursor=${encodeURIComponent(saved)}`));
    expect(ids(pFeed.data)).not.toContain(target.id);
    // ...the CONFIRMED listing does, as the last changed.
    const confirmed = await listAll(h, '/v1/api/bookings?status=CONFIRMED');
    expect(confirmed.items[confirmed.items.length - 1].id).toBe(target.id);
  });

  it('shows a soft delete as a change of the offering (with includeDeleted)', async () => {
    const path = '/v1/api/offerings?status=ALL&includeDeleted=true';
    const all = await listAll(h, path);
    const saved = all.lastCursor!;
    const target = all.items.find((o) => o.deletedAt === null);
    expectOk(await h.api('DELETE', `/v1/api/offerings/${target.id}`));
    const feed = expectOk(await h.api('GET', `${path}&cursor=${encodeURIComponent(saved)}`));
    expect(ids(feed.data)).toEqual([target.id]);
    expect(feed.data[0].deletedAt).toBeTypeOf('string');
    expect(feed.data[0].version).toBe(target.version + 1);
    const without = expectOk(await h.api('GET', `/v1/api/offerings?status=ALL&cursor=${encodeURIComponent(saved)}`));
    expect(ids(without.data)).not.toContain(target.id);
  });
});
