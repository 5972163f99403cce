/**
 * Flag rules sort the queue (#17): a rule whose action is `flag` labels the bookings it matches
 * "needs a look"; the queue window carries the label with the rule's name and the conditions met on
 * each such row, counts them, and filters to them, against the sandbox over HTTP.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueRow, RuleInput } from '../../src/shared/contract/types.ts';
import { runCli } from '../support/cli.ts';
import { openCore, type TestCore } from '../support/core.ts';
import { TEST_KEY, startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';

let dir: string;
let s: SandboxFixture;
let c: TestCore;
let expectedIds: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rule-flags-'));
  s = await startTestSandbox({ dir, seed: { bookings: 300, offerings: 3 } });
  c = openCore({ dbFile: join(dir, 'replica.db'), api: { url: s.url, key: TEST_KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  await c.core.runOnce();
}, 120_000);

afterAll(async () => {
  await c?.core.close();
  await s?.dispose();
});

async function wholeQueue(input: { flagged?: boolean } = {}): Promise<QueueRow[]> {
  const rows: QueueRow[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const w = await c.call('queue.window', { ...input, limit: 50, ...(cursor ? { cursor } : {}) });
    rows.push(...w.items);
    if (!w.nextCursor) return rows;
    cursor = w.nextCursor;
  }
  throw new Error('the queue did not end within 100 pages');
}

describe('a flag rule', () => {
  it('labels exactly the bookings it matches, names itself and the conditions on each row, and the filter and count find them', async () => {
    const before = await wholeQueue();
    expect(before.length).toBeGreaterThan(20);
    expect(before.every((r) => r.ruleFlags.length === 0)).toBe(true);
    // "VIP customers need a look": three customers' e-mails, on one offering.
    const offering = before[0]!.offeringId;
    const vips = [...new Set(before.filter((r) => r.offeringId === offering).map((r) => r.customer.email))].slice(0, 3);
    const expected = before.filter((r) => r.offeringId === offering && vips.includes(r.customer.email)).map((r) => r.id).sort();
    expect(expected.length).toBeGreaterThan(0);

    const rule: RuleInput = { name: 'VIP customers', offeringIds: [offering], conditions: { allowList: vips }, action: 'flag' };
    const added = await c.call('rules.add', { rule });
    await c.core.runOnce();

    const after = await wholeQueue();
    const flagged = after.filter((r) => r.ruleFlags.length > 0);
    expect(flagged.map((r) => r.id).sort()).toEqual(expected);
    for (const r of flagged) {
      expect(r.ruleFlags).toEqual([expect.objectContaining({ ruleId: added.id, ruleName: 'VIP customers' })]);
      expect(r.ruleFlags[0]!.conditions).toContain('allowList');
    }
    // Flagging approves nothing: the queue keeps every booking.
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());

    expectedIds = expected;
    const only = await wholeQueue({ flagged: true });
    expect(only.map((r) => r.id).sort()).toEqual(expected);
    const w = await c.call('queue.window', { limit: 1 });
    expect(w.counts.flagged).toBe(expected.length);
    expect((await c.call('queue.window', { flagged: true, limit: 1 })).total).toBe(expected.length);
  });

  it('shows on the CLI twin: `queue --flagged` lists the same bookings, each line naming the rule', async () => {
    expect(expectedIds.length).toBeGreaterThan(0);
    await c.core.close();
    const db = join(dir, 'replica.db');
    const json = await runCli(['queue', '--db', db, '--flagged', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const win = JSON.parse(json.stdout) as { items: QueueRow[]; counts: { flagged: number } };
    expect(win.items.map((r) => r.id).sort()).toEqual(expectedIds);
    const text = await runCli(['queue', '--db', db, '--flagged']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    for (const id of expectedIds) expect(lines.find((l) => l.startsWith(id)), id).toContain('needs a look: rule "VIP customers"');
    expect(text.stdout).toContain(`${expectedIds.length} flagged by a rule`);
  });
});
