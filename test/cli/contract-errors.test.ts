/**
 * Issue #12: `feeds`, `ics` and `import` go through the contract like the window does, so a wrong value
 * is refused by the contract's schemas (one validation path) and the refusal names the contract's
 * field and the option it came from. The schemas run before any file is read or replica made.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Replica } from '../../src/main/core/replica/replica.ts';
import { runMain } from '../support/cli.ts';
import { readReplica } from '../support/core.ts';
import { fingerprintDb, tempDir } from '../import/helpers.ts';

let t: ReturnType<typeof tempDir>;
let db: string;
let never: string;

beforeAll(() => {
  t = tempDir();
  db = join(t.dir, 'replica.db');
  Replica.open(db).close();
  never = join(t.dir, 'never.db');
});
afterAll(() => t.cleanup());

/** Exit 2 with the contract's refusal of `method`, naming each `[option, field]`; no replica made. */
async function refused(argv: string[], method: string, named: Array<[string, string]>): Promise<string> {
  const r = await runMain(...argv);
  expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
  expect(r.err).toContain(`Invalid input for ${method}: `);
  for (const [option, field] of named) expect(r.err).toContain(`${option} (${field}): `);
  expect(existsSync(never)).toBe(false);
  return r.err;
}

describe('CLI refusals are the contract’s', () => {
  it('ics: --from, --to, --status and --name are checked by calendar.export', async () => {
    const out = join(t.dir, 'x.ics');
    await refused(['ics', '--db', never, '--out', out, '--from', 'yesterday'], 'calendar.export', [['--from', 'from']]);
    await refused(['ics', '--db', never, '--out', out, '--to', '2026-13-45T99:00'], 'calendar.export', [['--to', 'to']]);
    const err = await refused(['ics', '--db', never, '--out', out, '--status', 'confirmed', '--status', 'LOST'], 'calendar.export', [['--status', 'statuses.1']]);
    expect(err).toContain('expected one of "PENDING"');
    await refused(['ics', '--db', never, '--out', out, '--name', '   '], 'calendar.export', [['--name', 'calendarName']]);
    // The handler's own refusal (an empty window) comes back through the same mapping.
    const window = await runMain('ics', '--db', db, '--out', out, '--from', '2026-06-05', '--to', '2026-06-01');
    expect(window.code).toBe(2);
    expect(window.err).toContain('`to` must be after `from` (--to)');
    expect(existsSync(out)).toBe(false);
  });

  it('feeds: add and publish input is checked by feeds.add and feeds.publish', async () => {
    await refused(['feeds', 'add', '--db', never, '--name', 'Desk', '--past-days', '40000'], 'feeds.add', [['--past-days', 'filters.pastDays']]);
    await refused(['feeds', 'add', '--db', never, '--name', 'Desk', '--future-days=-1', '--status', 'LOST'], 'feeds.add', [
      ['--future-days', 'filters.futureDays'],
      ['--status', 'filters.statuses.0'],
    ]);
    await refused(['feeds', 'add', '--db', never, '--name', 'x'.repeat(201)], 'feeds.add', [['--name', 'name']]);
    await refused(['feeds', 'add', '--db', never], 'feeds.add', [['--name', 'name']]);
    const saved = process.env['ORKESTR_RELAY_DEVICE_TOKEN'];
    delete process.env['ORKESTR_RELAY_DEVICE_TOKEN'];
    try {
      await refused(['feeds', 'publish', '--db', never, '--relay', 'ftp://relay.example', '--channel', 'ch_1'], 'feeds.publish', [
        ['--relay', 'relayUrl'],
        ['--device-token or ORKESTR_RELAY_DEVICE_TOKEN', 'deviceToken'],
      ]);
    } finally {
      if (saved !== undefined) process.env['ORKESTR_RELAY_DEVICE_TOKEN'] = saved;
    }
    // A refusal that is not about input keeps exit 1 and the core's words.
    const unknown = await runMain('feeds', 'rotate', 'cf_nope', '--db', db);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no live calendar feed "cf_nope"');
  });

  it('import: --delimiter and --encoding are checked by import.check before the file is read', async () => {
    const csv = join(t.dir, 'in.csv');
    writeFileSync(csv, 'slug,title\nx,X\n');
    await refused(['import', csv, '--db', never, '--delimiter', '|'], 'import.check', [['--delimiter', 'delimiter']]);
    await refused(['import', csv, '--db', never, '--encoding', 'ebcdic', '--delimiter', 'semicolon'], 'import.check', [['--encoding', 'encoding']]);
    // Checked before the file: a missing file with a bad option is a usage error, not "no such file".
    await refused(['import', join(t.dir, 'missing.csv'), '--db', never, '--delimiter', '|'], 'import.check', [['--delimiter', 'delimiter']]);
  });

  it('import: a read-only key is refused by import.commit (READ_ONLY, exit 1) and nothing is written', async () => {
    const template = join(t.dir, 'template.csv');
    expect((await runMain('import', '--template', template)).code).toBe(0);
    const ro = join(t.dir, 'read-only.db');
    const replica = Replica.open(ro);
    replica.transaction(() => replica.setMeta('keyScopes', JSON.stringify(['read'])));
    replica.close();
    const before = readReplica(ro, fingerprintDb);
    const r = await runMain('import', template, '--db', ro, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('not imported: This API key is read-only (it lacks the write scope). Nothing was written');
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, committed: false, commit: null });
    expect(readReplica(ro, fingerprintDb)).toBe(before);
  });
});
