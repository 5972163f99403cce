/**
 * The renderer bundle stays small and browser-only: it imports from src/shared only the zod-free
 * contract files (types, channels, messages), never the core's input schemas.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/main/app.ts';

const rendererSrc = join(packageRoot(), 'src', 'renderer', 'src');
const zodFree = ['types.ts', 'channels.ts', 'messages.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('renderer bundle', () => {
  it('renderer files import only the zod-free contract files from src/shared', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(rendererSrc)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+'([^']*shared\/[^']*)'/g)) {
        const target = m[1]!;
        if (!zodFree.some((f) => target.endsWith(`/shared/contract/${f}`))) offenders.push(`${file}: ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the zod-free contract files import no zod', () => {
    for (const f of zodFree) {
      const text = readFileSync(join(packageRoot(), 'src', 'shared', 'contract', f), 'utf8');
      expect(/from\s+'zod'/.test(text), `${f} imports zod`).toBe(false);
      expect(/schemas\.ts'/.test(text), `${f} imports the schemas`).toBe(false);
    }
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
