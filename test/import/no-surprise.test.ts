/**
 * An import that never surprises (issue #14), on a replica synced from the demo tenant over HTTP: the
 * shipped template changes no existing offering; the preview (CLI text and the contract) lists each
 * changed field old -> new; a row taking a PUBLISHED offering to DRAFT is refused, naming the slug,
 * unless confirmed (`--allow-unpublish`, `import.commit` allowUnpublish), and nothing is written then.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfferingView } from '../../src/shared/contract/types.ts';
import { runCli } from '../support/cli.ts';
import { openCore, readReplica, type TestCore } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { fingerprintDb } from './helpers.ts';

const KEY = 'ork_nosurpr1.no-surprise-secret-0123456';
let s: SandboxFixture;
let n = 0;

beforeAll(async () => {
  s = await startTestSandbox({ seed: 'demo', keys: [KEY] });
});
afterAll(async () => {
  await s?.dispose();
});

async function synced(): Promise<TestCore> {
  const c = openCore({ dbFile: join(s.dir, `import-${++n}.db`), api: { url: s.url, key: KEY }, transport: 'bridge', appVersion: 'test', holdMs: 0 });
  expect(await c.core.runOnce(30_000)).toMatchObject({ pulled: true, pushed: true });
  return c;
}

const cli = (...args: string[]) => runCli(['import', ...args], { timeoutMs: 60_000 });

/** A file that renames a live offering and takes it back to DRAFT (its other required columns as they are). */
function unpublishingCsv(o: OfferingView): string {
  return `slug,title,status,product_type,base_price,currency\n${o.slug},${o.title} (renovated),DRAFT,${o.productTypeKey},${(o.basePriceCents / 100).toFixed(2)},${o.currency}\n`;
}

describe('import never surprises', { timeout: 180_000 }, () => {
  it('the template imported as shipped on the demo tenant changes no existing offering', async () => {
    const c = await synced();
    const before = await c.call('offerings.list', {});
    await c.core.close();
    const tpl = join(s.dir, 'template.csv');
    expect((await cli('--template', tpl)).code).toBe(0);
    const r = await cli(tpl, '--db', c.dbFile);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 created, 0 updated, 0 unchanged/);
    const after = openCore({ dbFile: c.dbFile, transport: 'bridge', appVersion: 'test' });
    try {
      const now = await after.call('offerings.list', {});
      expect(now.length).toBe(before.length + 2);
      for (const o of before) expect(now.find((x) => x.id === o.id)).toEqual(o);
      // status counts what the catalogue shows: the two imported offerings before the server has them.
      const status = JSON.parse((await runCli(['status', '--db', c.dbFile, '--json'])).stdout) as { replica: { offerings: number; localOfferings: number } };
      expect(status.replica).toMatchObject({ offerings: before.length + 2, localOfferings: 2 });
    } finally {
      await after.core.close();
    }
  });

  it('CLI: the text preview lists each changed field old -> new; unpublishing a live offering exits 1 naming it, unless --allow-unpublish', async () => {
    const c = await synced();
    const live = (await c.call('offerings.list', {})).find((o) => o.status === 'PUBLISHED')!;
    await c.core.close();
    const file = join(s.dir, 'unpublish.csv');
    writeFileSync(file, unpublishingCsv(live));
    const before = readReplica(c.dbFile, fingerprintDb);

    const dry = await cli(file, '--db', c.dbFile, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain(`update "${live.slug}" (line 2):`);
    expect(dry.stderr).toContain(`  title: ${JSON.stringify(live.title)} -> ${JSON.stringify(`${live.title} (renovated)`)}`);
    expect(dry.stderr).toContain('  status: "PUBLISHED" -> "DRAFT"');
    const refused = await cli(file, '--db', c.dbFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`would take PUBLISHED offering(s) "${live.slug}" off sale`);
    expect(refused.stderr).toContain('--allow-unpublish');
    expect(readReplica(c.dbFile, fingerprintDb)).toBe(before);

    const json = await cli(file, '--db', c.dbFile, '--dry-run', '--json');
    const view = JSON.parse(json.stdout) as { unpublishes: unknown[]; preview: { samples: { update: Array<{ changes: unknown[] }> } } };
    expect(view.unpublishes).toEqual([{ slug: live.slug, title: live.title, line: 2, offeringId: live.id, to: 'DRAFT' }]);
    expect(view.preview.samples.update[0]!.changes).toEqual([
      { field: 'title', from: live.title, to: `${live.title} (renovated)` },
      { field: 'status', from: 'PUBLISHED', to: 'DRAFT' },
    ]);

    const confirmed = await cli(file, '--db', c.dbFile, '--allow-unpublish');
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/0 created, 1 updated/);
  });

  it('contract: import.commit answers NEEDS_CONFIRMATION naming the slug and writes nothing; allowUnpublish commits', async () => {
    const c = await synced();
    try {
      const live = (await c.call('offerings.list', {})).filter((o) => o.status === 'PUBLISHED')[1]!;
      const check = await c.call('import.check', { fileName: 'u.csv', contentBase64: Buffer.from(unpublishingCsv(live)).toString('base64') });
      expect(check.view.unpublishes.map((u) => u.slug)).toEqual([live.slug]);
      const before = readReplica(c.dbFile, fingerprintDb);
      const error = await c.callError('import.commit', { token: check.token });
      expect(error.code).toBe('NEEDS_CONFIRMATION');
      expect(error.message).toContain(`"${live.slug}"`);
      expect(readReplica(c.dbFile, fingerprintDb)).toBe(before);
      const done = await c.call('import.commit', { token: check.token, allowUnpublish: true });
      expect(done.updated).toBe(1);
      expect((await c.call('offerings.list', {})).find((o) => o.id === live.id)).toMatchObject({ status: 'DRAFT', syncState: 'pending' });
    } finally {
      await c.core.close();
    }
  });

  it('the template file uses slugs no demo offering has', async () => {
    const tpl = join(s.dir, 'template2.csv');
    expect((await cli('--template', tpl)).code).toBe(0);
    const slugs = new Set(readFileSync(tpl, 'utf8').split(/\r?\n/).slice(1).map((l) => l.split(',')[0]).filter(Boolean));
    const server = await s.listAll<{ slug: string }>('/api/offerings');
    expect(server.filter((o) => slugs.has(o.slug))).toEqual([]);
  });
});
