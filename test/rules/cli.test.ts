/**
 * `orkestr-console rules …` as scripts use it (real processes): a rule given as JSON on stdin or with
 * --file, validated by the contract's schema (bad rules: exit 2 naming the field), approvals queued by
 * `rules add` and sent by `sync --once`, pause/resume, preview, export/import.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulePreview, RuleView, RulesDocument, RulesState } from '../../src/shared/contract/types.ts';
import { runCli as run } from '../support/cli.ts';
import { TEST_KEY, startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { approvals, serverBookings } from './helpers.ts';

let s: SandboxFixture;
let db: string;

beforeAll(async () => {
  s = await startTestSandbox({ seed: { bookings: 300, offerings: 3 } });
  db = join(s.dir, 'cli.db');
});

afterAll(async () => {
  await s?.dispose();
});

// Up to a dozen sequential CLI processes per test on a loaded 2-core machine.
describe('orkestr-console rules', { timeout: 240_000 }, () => {
  it('refuses bad rules with exit 2 and the field named, before anything is stored', async () => {
    const sync = await run(['sync', '--once', '--api', s.url, '--key', TEST_KEY, '--db', db]);
    expect(sync.code, sync.stderr).toBe(0);
    const tooRisky = await run(['rules', 'add', '--db', db], { stdin: JSON.stringify({ name: 'x', conditions: { maxRiskScore: 300 }, action: 'approve' }) });
    expect(tooRisky.code).toBe(2);
    expect(tooRisky.stderr).toContain('conditions.maxRiskScore');
    const unknown = await run(['rules', 'add', '--db', db], { stdin: JSON.stringify({ name: 'x', conditions: { maxRisk: 3 }, action: 'approve' }) });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/conditions: .*maxRisk/);
    const noAction = await run(['rules', 'add', '--db', db], { stdin: JSON.stringify({ name: 'x', conditions: { notHeld: true } }) });
    expect(noAction.code).toBe(2);
    expect(noAction.stderr).toContain('action');
    const notJson = await run(['rules', 'add', '--db', db], { stdin: '{"name": ' });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not JSON');
    expect((await run(['rules', 'frobnicate', '--db', db])).code).toBe(2);
    expect((await run(['rules', 'remove', 'rul_nope', '--db', db])).code).toBe(1);
    const list = JSON.parse((await run(['rules', 'list', '--db', db, '--json'])).stdout) as RulesState;
    expect(list).toEqual({ paused: false, writable: true, rules: [] });
  });

  it('adds the documented rule shape; sync --once sends its approvals to the server', async () => {
    const pending = await serverBookings(s, 'PENDING');
    const offering = pending[0]!.offeringId;
    const file = join(s.dir, 'rule.json');
    const rule = { name: 'Low-risk classes', offeringIds: [offering], conditions: { maxRiskScore: 30, notHeld: true, noOverlap: true, minLeadHours: 2 }, action: 'approve', dailyCap: 100 };
    writeFileSync(file, JSON.stringify(rule));

    const preview = await run(['rules', 'preview', '--db', db, '--file', file, '--days', '60', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    expect((JSON.parse(preview.stdout) as RulePreview).days).toBe(60);

    const added = await run(['rules', 'add', '--db', db, '--file', file, '--json']);
    expect(added.code, added.stderr).toBe(0);
    const view = JSON.parse(added.stdout) as RuleView;
    expect(view).toMatchObject({ name: 'Low-risk classes', offeringIds: [offering], enabled: true, dailyCap: 100 });
    expect(view.today).toBeGreaterThan(0);

    const sync = await run(['sync', '--once', '--api', s.url, '--key', TEST_KEY, '--db', db]);
    expect(sync.code, sync.stderr).toBe(0);
    const approved = await approvals(s, true);
    expect(approved.size).toBe(view.today);
    const confirmed = new Set((await serverBookings(s, 'CONFIRMED')).map((b) => b.id));
    for (const id of approved.keys()) expect(confirmed.has(id), id).toBe(true);

    const text = await run(['rules', 'list', '--db', db]);
    expect(text.stdout).toContain(`${view.id}  on   approve  "Low-risk classes"`);
  });

  it('pauses and resumes (all rules, or one), exports and imports', async () => {
    const paused = JSON.parse((await run(['rules', 'pause', '--db', db, '--json'])).stdout) as RulesState;
    expect(paused.paused).toBe(true);
    expect((JSON.parse((await run(['rules', 'resume', '--db', db, '--json'])).stdout) as RulesState).paused).toBe(false);
    const [rule] = (JSON.parse((await run(['rules', 'list', '--db', db, '--json'])).stdout) as RulesState).rules;
    const off = JSON.parse((await run(['rules', 'pause', rule!.id, '--db', db, '--json'])).stdout) as RuleView;
    expect(off.enabled).toBe(false);

    const exported = await run(['rules', 'export', '--db', db]);
    const doc = JSON.parse(exported.stdout) as RulesDocument;
    expect(doc).toMatchObject({ format: 'orkestr-console.rules', version: 1, rules: [{ name: 'Low-risk classes', enabled: false, version: 1 }] });
    const imported = await run(['rules', 'import', '--db', db, '--replace', '--json'], { stdin: exported.stdout });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ added: 1, removed: 1 });
    const badDoc = await run(['rules', 'import', '--db', db], { stdin: JSON.stringify({ ...doc, version: 2 }) });
    expect(badDoc.code).toBe(2);
    expect(badDoc.stderr).toContain('version');
    const removed = await run(['rules', 'remove', (JSON.parse((await run(['rules', 'list', '--db', db, '--json'])).stdout) as RulesState).rules[0]!.id, '--db', db]);
    expect(removed.code, removed.stderr).toBe(0);
  });
});
