/**
 * Approval rules against the sandbox over HTTP (#17): the runner approves exactly the bookings a rule
 * names among 200 seeded PENDING ones, the daily cap holds, the preview's counts equal a direct SQL
 * count over the replica, and two consoles running the same rule approve each booking once.
 * What the server did is read from its effects log (one row per state change under an idempotency key).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleInput } from '../../src/shared/contract/types.ts';
import { openCore, readReplica, type TestCore } from '../support/core.ts';
import { TEST_KEY, startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { approvals, availabilityOf, capacityAt, keepsRoom, serverBookings, type ServerBooking } from './helpers.ts';

const READ_ONLY_KEY = 'ork_readonly.rules-read-only-key-0123456789';

let dir: string;
let s: SandboxFixture;
let timeZone: string;
let offering: string;
/** A low-risk PENDING booking on `offering` whose slot was then filled by as many competitors as its capacity. */
let crowded: ServerBooking;
const cores: TestCore[] = [];

function open(name: string, fixture: SandboxFixture): TestCore {
  const core = openCore({ dbFile: join(dir, `${name}.db`), api: { url: fixture.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  cores.push(core);
  return core;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rules-'));
  s = await startTestSandbox({ dir, seed: { bookings: 1500, offerings: 4 } });
  timeZone = (await s.getJson<{ tenant: { timezone: string } }>('/api/me')).tenant.timezone;
  let pending = await serverBookings(s, 'PENDING');
  const perOffering = new Map<string, number>();
  for (const b of pending) perOffering.set(b.offeringId, (perOffering.get(b.offeringId) ?? 0) + 1);
  offering = [...perOffering.entries()].sort((x, y) => y[1] - x[1])[0]![0];
  crowded = pending.find((b) => b.offeringId === offering && b.riskReviewStatus !== 'HELD' && b.riskScore !== null && b.riskScore <= 30)!;
  const item = crowded.items[0]!;
  const capacity = capacityAt(await availabilityOf(s, offering), item.startsAt, timeZone);
  expect(capacity, 'the crowded booking starts inside a weekly rule').not.toBeNull();
  for (let i = 0; i < (capacity ?? 0); i++) await s.adminJson('POST', '/simulate/booking', { offeringId: offering, startsAt: item.startsAt, endsAt: item.endsAt });
  // Exactly 200 PENDING: the surplus on other offerings is cancelled (by someone else, before any console looks).
  pending = await serverBookings(s, 'PENDING');
  const surplus = pending.length - 200;
  expect(surplus).toBeGreaterThanOrEqual(0);
  for (const b of pending.filter((x) => x.offeringId !== offering).slice(0, surplus)) {
    const res = await s.api('POST', `/v1/api/bookings/${b.id}/cancel`, { body: { reason: 'test setup' } });
    expect(res.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  for (const c of cores) await c.core.close();
  await s?.dispose();
});

describe('a rule over 200 seeded PENDING bookings', () => {
  let a: TestCore;
  let pending: ServerBooking[];

  it('approves exactly the low-risk, not held bookings of one offering whose slot keeps room, and nothing else', async () => {
    a = open('a', s);
    await a.core.runOnce();
    pending = await serverBookings(s, 'PENDING');
    expect(pending).toHaveLength(200);
    expect((await a.call('queue.window', { limit: 1000 })).items).toHaveLength(200);
    const confirmed = await serverBookings(s, 'CONFIRMED');
    const schedule = await availabilityOf(s, offering);
    const expected = pending.filter(
      (b) => b.offeringId === offering && b.riskScore !== null && b.riskScore <= 30 && b.riskReviewStatus !== 'HELD' && keepsRoom(b, [...pending, ...confirmed], schedule, timeZone),
    );
    const rule: RuleInput = { name: 'Low-risk, room left', offeringIds: [offering], conditions: { maxRiskScore: 30, notHeld: true, noOverlap: true }, action: 'approve', dailyCap: 1000 };
    const added = await a.call('rules.add', { rule });
    expect(added).toMatchObject({ enabled: true, today: expected.length });

    const pass = await a.core.runOnce();
    expect(pass).toMatchObject({ pulled: true, pushed: true, conflicts: 0 });
    const approved = await approvals(s, true);
    expect([...approved.keys()].sort()).toEqual(expected.map((b) => b.id).sort());
    expect([...approved.values()].every((n) => n === 1)).toBe(true);

    // The excluded kinds are there, and none of them was approved.
    const held = pending.filter((b) => b.offeringId === offering && b.riskReviewStatus === 'HELD');
    const others = pending.filter((b) => b.offeringId !== offering);
    expect(expected.length).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    expect(approved.has(crowded.id)).toBe(false);
    for (const b of [...held, ...others]) expect(approved.has(b.id), b.id).toBe(false);
    expect(await a.call('conflicts.list')).toEqual([]);

    // Recorded "approved by rule" with the conditions met, in the activity and in the booking's history.
    const activity = (await a.call('activity.list', { limit: 1000 })).filter((x) => x.event === 'rule.approved');
    expect(activity).toHaveLength(expected.length);
    expect(activity[0]!.summaryMessage).toMatchObject({ code: 'activity.ruleApproved', params: { rule: 'Low-risk, room left' } });
    const detail = await a.call('bookings.get', { id: expected[0]!.id });
    expect(detail?.status).toBe('CONFIRMED');
    const line = detail?.history.find((h) => h.summary.startsWith('Approved by rule "Low-risk, room left"'));
    expect(line?.summary).toMatch(/maxRiskScore \d+≤30 · notHeld NONE · noOverlap 1\+\d+≤\d+/);
    expect(line?.kind).toBe('rule');
  });

  it('holds the daily cap: a rule capped at 3 approves 3 and leaves the others to a person', async () => {
    const others = pending.filter((b) => b.offeringId !== offering && b.riskReviewStatus !== 'HELD');
    expect(others.length).toBeGreaterThan(3);
    const before = await approvals(s);
    const rule = await a.call('rules.add', { rule: { name: 'Capped', offeringIds: [...new Set(others.map((b) => b.offeringId))], conditions: { notHeld: true }, action: 'approve', dailyCap: 3 } });
    expect(rule.today).toBe(3);
    const outcomes = readReplica(a.dbFile, (db) => db.prepare("SELECT outcome, count(*) AS n FROM rule_runs WHERE rule_id = ? AND outcome <> 'skipped' GROUP BY outcome ORDER BY outcome").all(rule.id));
    expect(outcomes).toEqual([
      { outcome: 'approved', n: 3 },
      { outcome: 'capped', n: others.length - 3 },
    ]);
    // The rest it evaluated did not match: HELD ones, or another offering's still pending.
    const skipped = readReplica(a.dbFile, (db) => db.prepare("SELECT booking_id AS id FROM rule_runs WHERE rule_id = ? AND outcome = 'skipped'").all(rule.id) as Array<{ id: string }>);
    const byId = new Map(pending.map((b) => [b.id, b]));
    for (const { id } of skipped) expect(byId.get(id)?.offeringId === offering || byId.get(id)?.riskReviewStatus === 'HELD', id).toBe(true);
    // A later pass (a poll) does not approve more today.
    await a.core.runOnce();
    const after = await approvals(s);
    const fresh = [...after.keys()].filter((id) => !before.has(id));
    expect(fresh).toHaveLength(3);
    expect((await a.call('rules.list')).rules.find((r) => r.id === rule.id)?.today).toBe(3);
  });

  it("sums up what the rules did for Insights: approvals by rule (undone ones not counted) and the waiting saved", async () => {
    const runs = readReplica(a.dbFile, (db) => (db.prepare("SELECT count(*) AS n FROM rule_runs WHERE outcome = 'approved'").get() as { n: number }).n);
    const summary = await a.call('rules.summary', { days: 30 });
    expect(summary).toMatchObject({ days: 30, approved: runs, flagged: 0 });
    expect(summary.ruleMedianMinutes).not.toBeNull();
    expect(summary.humanMedianMinutes).not.toBeNull();
    expect(summary.minutesGained).toBe(Math.round(Math.max(0, summary.humanMedianMinutes! - summary.ruleMedianMinutes!) * runs));
  });

  it("previews over history with counts equal to a direct SQL count over the replica", async () => {
    const rule: RuleInput = { name: 'Preview', offeringIds: [offering], conditions: { maxRiskScore: 30, notHeld: true, maxTotalCents: 30_000, minLeadHours: 2 }, action: 'approve' };
    const preview = await a.call('rules.preview', { rule, days: 30 });
    const sql = readReplica(a.dbFile, (db) => {
      const count = (extra: string): number =>
        (
          db
            .prepare(
              `SELECT count(*) AS n FROM bookings WHERE created_at >= @from AND offering_id = @offering
                 AND risk_score <= 30 AND COALESCE(risk_review_status, '') <> 'HELD' AND total_cents <= 30000
                 AND (julianday(starts_at) - julianday(created_at)) * 24 >= 2 ${extra}`,
            )
            .get({ from: preview.from, offering }) as { n: number }
        ).n;
      return {
        considered: (db.prepare('SELECT count(*) AS n FROM bookings WHERE created_at >= ? AND offering_id = ?').get(preview.from, offering) as { n: number }).n,
        matched: count(''),
        cancelledByCustomer: count("AND status = 'CANCELLED' AND cancelled_by = 'customer'"),
        disputed: count('AND id IN (SELECT booking_id FROM disputes)'),
      };
    });
    expect({ considered: preview.considered, matched: preview.matched, cancelledByCustomer: preview.cancelledByCustomer, disputed: preview.disputed }).toEqual(sql);
    expect(sql.matched).toBeGreaterThan(0);
    expect(sql.considered).toBeGreaterThan(sql.matched);
    expect(preview.items).toHaveLength(Math.min(500, sql.matched));
  });
});

describe('two consoles on one tenant', () => {
  let s2: SandboxFixture;
  beforeAll(async () => {
    s2 = await startTestSandbox({ dir: await mkdtemp(join(tmpdir(), 'rules-two-')), seed: { bookings: 400, offerings: 3 }, keys: [TEST_KEY, `${READ_ONLY_KEY}:read`] });
  });
  afterAll(async () => {
    await s2?.dispose();
  });

  it('never run while the key lacks write', async () => {
    const reader = openCore({ dbFile: join(dir, 'reader.db'), api: { url: s2.url, key: READ_ONLY_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
    cores.push(reader);
    await reader.core.runOnce();
    expect((await reader.call('session.info')).writable).toBe(false);
    expect((await reader.call('queue.window', { limit: 1000 })).items.length).toBeGreaterThan(0);
    await reader.call('rules.add', { rule: { name: 'Read-only', conditions: { notHeld: true }, action: 'approve' } });
    await reader.core.runOnce();
    expect(await reader.call('intents.list')).toEqual([]);
    expect((await reader.call('rules.list')).writable).toBe(false);
    expect(readReplica(reader.dbFile, (db) => db.prepare('SELECT count(*) AS n FROM rule_runs').get())).toEqual({ n: 0 });
    expect(await approvals(s2)).toEqual(new Map());
  });

  it('running the same rule, approve each booking once, and a 409 for one already approved is no conflict', async () => {
    const one = open('one', s2);
    const two = open('two', s2);
    await Promise.all([one.core.runOnce(), two.core.runOnce()]);
    const pending = await serverBookings(s2, 'PENDING');
    const matches = pending.filter((b) => b.riskReviewStatus !== 'HELD' && b.riskScore !== null && b.riskScore <= 40);
    expect(matches.length).toBeGreaterThan(5);
    // A person approves one on console one (its own key); console two has not heard of it yet.
    const byHand = matches[0]!;
    await one.call('bookings.approve', { id: byHand.id });
    await one.core.runOnce();

    const rule: RuleInput = { name: 'Both consoles', conditions: { notHeld: true, maxRiskScore: 40 }, action: 'approve' };
    await Promise.all([one.call('rules.add', { rule }), two.call('rules.add', { rule })]);
    const passes = await Promise.all([one.core.runOnce(), two.core.runOnce()]);
    for (const p of passes) expect(p).toMatchObject({ pushed: true, conflicts: 0 });

    const approved = await approvals(s2);
    expect([...approved.keys()].sort()).toEqual(matches.map((b) => b.id).sort());
    for (const [id, n] of approved) expect(n, id).toBe(1);
    // Both consoles sent every rule approval under the same booking-derived key: the later one was a replay.
    const replays = s2.logs.filter((l) => /idempotent replay POST \S+\/approve key=rule-approve-/.test(l));
    expect(replays).toHaveLength(matches.length - 1);
    for (const c of [one, two]) {
      expect(await c.call('conflicts.list')).toEqual([]);
      expect((await c.call('intents.list')).filter((i) => i.state !== 'done')).toEqual([]);
      expect((await c.call('queue.window', { limit: 1000 })).items).toHaveLength(pending.length - matches.length);
    }
  });
});
