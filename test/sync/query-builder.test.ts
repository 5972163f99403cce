// The query builder (kysely) is loaded as the core opens, from the one file `npm install` pre-bundles
// (scripts/prebundle-kysely.mjs), and never in the middle of the work. kysely is ~250 ES modules and
// Node loads a module graph in one synchronous block (import() included): loaded at start() in the
// background it was the 1M sync's longest stall (160-280 ms), and a call that required it meanwhile
// failed with INTERNAL ("Cannot require() ES Module ... not yet fully loaded").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { prebundledKyselyFile } from '../../src/main/core/db/query-builder.ts';
import { node24 } from '../support/cli.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('the core loads kysely once, from the pre-bundled file, as it opens; calls made at start all answer', () => {
  const file = prebundledKyselyFile();
  expect(file, 'npm install pre-bundles kysely (scripts/prebundle-kysely.mjs)').not.toBeNull();
  dir = mkdtempSync(join(tmpdir(), 'orkestr-kysely-'));
  const child = spawnSync(node24, [join(import.meta.dirname, 'query-builder-child.ts'), dir], { encoding: 'utf8', timeout: 60_000 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { atOpen: string[]; loaded: string[]; failed: string[] };
  const url = pathToFileURL(file!).href;
  expect(out).toEqual({ atOpen: [url], loaded: [url], failed: [] });
});
