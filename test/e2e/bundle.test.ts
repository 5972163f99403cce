/**
 * The renderer bundle stays small: it imports only types from src/shared/contract.ts (whose zod
 * schemas are for the core) and takes the few runtime values from its own lib/contract-values.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/main/app.ts';

const rendererSrc = join(packageRoot(), 'src', 'renderer', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('renderer bundle', () => {
  it('no renderer file imports values (only types) from src/shared', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(rendererSrc)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(?!type\b)([^;]*?)from\s+'([^']*shared\/[^']*)'/gms)) offenders.push(`${file}: ${m[2]}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the built renderer carries no zod', () => {
    const assets = join(packageRoot(), 'out', 'renderer', 'assets');
    if (!existsSync(assets)) throw new Error('The renderer is not built: run `npx electron-vite build` first.');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) {
      const text = readFileSync(join(assets, f), 'utf8');
      expect(text.includes('node_modules/zod'), `${f} bundles zod`).toBe(false);
      expect(/\bZodError\b/.test(text), `${f} bundles zod`).toBe(false);
    }
  });
});
