/**
 * The renderer bundle stays small and browser-only: it imports from src/shared only the zod-free
 * contract files (types, channels, messages) and the back-off, never the core's input schemas; and the
 * built page carries the one Content-Security-Policy (src/shared/csp.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/main/app.ts';
import { rendererCsp } from '../../src/shared/csp.ts';

const rendererSrc = join(packageRoot(), 'src', 'renderer', 'src');
const zodFree = ['contract/types.ts', 'contract/channels.ts', 'contract/messages.ts', 'backoff.ts'];

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
        if (!zodFree.some((f) => target.endsWith(`/shared/${f}`))) offenders.push(`${file}: ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the zod-free contract files import no zod', () => {
    for (const f of zodFree) {
      const text = readFileSync(join(packageRoot(), 'src', 'shared', f), 'utf8');
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

  it('the built index.html carries the CSP of src/shared/csp.ts, which the source index.html does not', () => {
    const built = readFileSync(join(packageRoot(), 'out', 'renderer', 'index.html'), 'utf8');
    const metas = [...built.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/g)].map((m) => m[1]);
    expect(metas).toEqual([rendererCsp({ meta: true })]);
    expect(built.indexOf('Content-Security-Policy')).toBeLessThan(built.indexOf('<script'));
    const source = readFileSync(join(packageRoot(), 'src', 'renderer', 'index.html'), 'utf8');
    expect(source).not.toMatch(/<meta[^>]*Content-Security-Policy/i);
  });

  it('the page’s entry, which sends the queue’s first call, is small, and the app is a chunk the page fetches with it (#16: the call left only after 590 kB were evaluated)', () => {
    const built = readFileSync(join(packageRoot(), 'out', 'renderer', 'index.html'), 'utf8');
    const entries = [...built.matchAll(/<script type="module"[^>]* src="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(entries).toHaveLength(1);
    const entry = readFileSync(join(packageRoot(), 'out', 'renderer', entries[0]!), 'utf8');
    expect(entry).toContain('queue.window');
    expect(entry.length).toBeLessThan(50_000);
    // The app's chunk is asked for by the page itself, not only when the entry imports it.
    const preloaded = [...built.matchAll(/<link rel="modulepreload"[^>]* href="\.\/([^"]+)"/g)].map((m) => m[1]!);
    const app = preloaded.filter((f) => readFileSync(join(packageRoot(), 'out', 'renderer', f), 'utf8').length > 200_000);
    expect(app).toHaveLength(1);
    expect(entry).toContain(app[0]!.split('/').pop());
  });
});
