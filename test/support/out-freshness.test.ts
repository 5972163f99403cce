/** The globalSetup that keeps the suite off a stale out/ says so, and names the newer source. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outStaleness } from './out-freshness.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project tree whose files carry the given modification times (seconds since the epoch). */
function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'out-fresh-'));
  dirs.push(root);
  for (const [file, mtime] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), 'x');
    utimesSync(join(root, file), mtime, mtime);
  }
  return root;
}

const built = (at: number): Record<string, number> => ({ 'out/main/index.js': at, 'out/main/engine-host.js': at, 'out/preload/index.cjs': at, 'out/renderer/index.html': at });
const inputs = { 'electron.vite.config.ts': 1000, 'package.json': 1000 };

describe('out/ freshness check', () => {
  it('passes when every source is older than the build', () => {
    expect(outStaleness(tree({ ...built(2000), ...inputs, 'src/main/app.ts': 1500, 'src/renderer/src/App.tsx': 1900 }))).toBeNull();
  });

  it('fails naming the source changed after the build, and says to build', () => {
    const message = outStaleness(tree({ ...built(2000), ...inputs, 'src/main/app.ts': 1500, 'src/renderer/src/App.tsx': 2100 }));
    expect(message).toMatch(/out\/ is stale: src\/renderer\/src\/App\.tsx changed at .* after the last build/);
    expect(message).toMatch(/npm run build/);
  });

  it('fails when a bundle is missing, and ignores colocated tests (not bundled)', () => {
    const files = { ...built(2000), ...inputs, 'src/main/app.ts': 1500 };
    delete (files as Record<string, number>)['out/preload/index.cjs'];
    expect(outStaleness(tree(files))).toMatch(/not been built \(out\/preload\/index\.cjs missing\)/);
    expect(outStaleness(tree({ ...built(2000), ...inputs, 'src/main/app.ts': 1500, 'src/main/app.test.ts': 3000 }))).toBeNull();
  });
});
