/**
 * Vitest globalSetup: the suite never runs against a stale `out/`. The e2e tests serve the built
 * renderer (out/renderer), the engine test runs the built engine (out/main/engine-host.js) and the
 * bundle test reads both; a bundle older than the sources would test yesterday's code while the
 * report says today's.
 *
 * Why a check that fails loudly and not a build here: `npm test` already builds right before Vitest,
 * so the check costs nothing there, whereas building in this hook would add ~10–20 s on this machine to
 * every focused `npx vitest run` (even of tests that never touch `out/`), would hide the build's own
 * errors among the tests', and would race another build running in the same tree. When the check
 * fails, its message says which source is newer and what to run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');
/** One file per bundle electron-vite writes; all three are rewritten by every build. */
const builtEntries = ['out/main/index.js', 'out/main/engine-host.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
/** Inputs of the build besides src/. */
const buildInputs = ['electron.vite.config.ts', 'package.json'];

function newestSource(dir: string, best: { file: string; mtimeMs: number }): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newestSource(path, best);
    // Colocated tests are not part of any bundle.
    else if (!entry.name.endsWith('.test.ts')) {
      const { mtimeMs } = statSync(path);
      if (mtimeMs > best.mtimeMs) Object.assign(best, { file: path, mtimeMs });
    }
  }
}

/** null when out/ is fresh, else what is wrong and how to fix it. */
export function outStaleness(root = repoRoot): string | null {
  const missing = builtEntries.filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) return `out/ has not been built (${missing.join(', ')} missing). Run \`npm run build\` (\`npm test\` builds before it runs the tests).`;
  const builtAt = Math.min(...builtEntries.map((f) => statSync(join(root, f)).mtimeMs));
  const newest = { file: '', mtimeMs: 0 };
  newestSource(join(root, 'src'), newest);
  for (const f of buildInputs) {
    const { mtimeMs } = statSync(join(root, f));
    if (mtimeMs > newest.mtimeMs) Object.assign(newest, { file: join(root, f), mtimeMs });
  }
  if (newest.mtimeMs <= builtAt) return null;
  return (
    `out/ is stale: ${relative(root, newest.file)} changed at ${new Date(newest.mtimeMs).toISOString()}, after the last build ` +
    `(${new Date(builtAt).toISOString()}). Run \`npm run build\` (or \`npm test\`, which builds first) and run the tests again.`
  );
}

export default function setup(): void {
  const problem = outStaleness();
  if (problem) throw new Error(problem);
}
