import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { openCore, readReplica } from '../support/core.ts';
import { corpus, fingerprintDb, tempDir } from './helpers.ts';

const cli = async (...args: string[]): Promise<{ code: number | null; out: string; err: string }> => {
  const r = await runCli(['import', ...args], { timeoutMs: 60_000 });
  return { code: r.code, out: r.stdout, err: r.stderr };
};

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

/** What the importer could have written to the replica file (made, empty, by the core when absent). */
const dbPrint = async (db: string): Promise<string> => {
  if (!existsSync(db)) await openCore({ dbFile: db, transport: 'bridge', appVersion: 'test' }).core.close();
  return readReplica(db, fingerprintDb);
};

describe('orkestr-console import', () => {
  it('writes the template, which imports cleanly (exit 0), and a second run is unchanged', async () => {
    const tpl = join(t.dir, 'template.csv');
    const help = join(t.dir, 'columns.csv');
    expect((await cli('--template', tpl, '--help-columns', help)).code).toBe(0);
    expect(readFileSync(help, 'utf8')).toContain('descripción');
    const db = join(t.dir, 'r.db');
    const first = await cli(tpl, '--db', db);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/2 created, 0 updated, 0 unchanged, 3 availability rules/);
    // Progress of the check and of the commit on stderr (stdout stays the report).
    expect(first.err).toMatch(/^import: checking 100% \(\d+ rows\)$/m);
    expect(first.err).toMatch(/^import: writing 100% \(2 rows\)$/m);
    const second = await cli(tpl, '--db', db, '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ ok: true, committed: true, preview: { counts: { offerings: { create: 0, unchanged: 2 } } } });
  });

  it('exit 1 with line/column errors and nothing written; --json is machine-readable; --report escapes formulas', async () => {
    const db = join(t.dir, 'r.db');
    const before = await dbPrint(db);
    const r = await cli(corpus('bad-values.csv'), '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: line 4, column "base_price" (F): "12,5,0" is not a price');
    expect(r.err).toMatch(/not imported: 20 error\(s\); nothing was written/);
    expect(await dbPrint(db)).toBe(before);

    const report = join(t.dir, 'report.csv');
    const j = await cli(corpus('duplicates.csv'), '--db', db, '--json', '--report', report);
    expect(j.code).toBe(1);
    const body = JSON.parse(j.out) as { ok: boolean; committed: boolean; errorCount: number; issues: Array<{ line: number; column: string; columnLetter: string; message: string }> };
    expect(body).toMatchObject({ ok: false, committed: false, errorCount: 3 });
    expect(body.issues[0]).toMatchObject({ line: 5, column: 'title', columnLetter: 'B' });
    expect(readFileSync(report, 'utf8')).toContain('line,column,column_letter,severity,code,message');
    expect(await dbPrint(db)).toBe(before);
  });

  it('--dry-run checks without writing; --delimiter and --encoding are honoured', async () => {
    const db = join(t.dir, 'r.db');
    const before = await dbPrint(db);
    const dry = await cli(corpus('bom-crlf.csv'), '--db', db, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run/);
    expect(await dbPrint(db)).toBe(before);
    const file = join(t.dir, 'semi.csv');
    writeFileSync(file, 'slug;title;product_type;base_price;currency\nx;X;space;12,50;EUR\n');
    const forced = await cli(file, '--db', db, '--dry-run', '--delimiter', ',', '--json');
    expect(forced.code).toBe(1);
    expect(JSON.parse(forced.out).errorCount).toBeGreaterThan(0);
    const w = await cli(corpus('windows-1252.csv'), '--db', db, '--dry-run', '--encoding', 'utf-8');
    expect(w.code).toBe(1);
    expect(w.err).toContain('file: not valid UTF-8 (byte 179); choose Windows-1252 or automatic detection');
  });

  it('exit 2 for a wrong invocation', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('a.csv')).code).toBe(2);
    expect((await cli('a.csv', '--db', 'x.db', '--delimiter', '|')).code).toBe(2);
    expect((await cli('a.csv', '--db', 'x.db', '--bogus')).code).toBe(2);
  });
});
