// The engine's loop never loads the query builder: kysely is ~250 ES modules, and Node 24 loads them
// in one synchronous block however they are imported (import() included; measured: no timer fired
// during a 250-1,300 ms `await import('kysely')`). Started at start(), that block was the scale
// bench's longest (160-280 ms) in the sync. The child records every resolution of kysely.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { node24 } from '../support/cli.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('a started core answers its list and catalogue calls without loading kysely', () => {
  dir = mkdtempSync(join(tmpdir(), 'orkestr-kysely-'));
  const child = spawnSync(node24, [join(import.meta.dirname, 'query-builder-child.ts'), dir], { encoding: 'utf8', timeout: 60_000 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { resolved: string[]; failed: string[] };
  expect(out).toEqual({ resolved: [], failed: [] });
});
