// Pre-bundles kysely into one ES module file beside it in node_modules (run by `npm install` as
// postinstall). Why: kysely ships ~250 ES modules, and Node loads a module graph in one synchronous
// block whatever the import style: 150–250 ms of the engine's loop when the CLI, `serve` or a bench
// (which run the TypeScript sources) first load it, against ~30 ms for the same code as one file.
// This is what Vite's dependency pre-bundling does for the same reason. The built Electron engine
// bundles kysely itself and never looks for this file; without it (a production install, no vite)
// the core loads kysely from its package as before (src/main/core/db/query-builder.ts).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

let vite;
try {
  vite = await import('vite');
} catch {
  console.log('prebundle-kysely: vite is not installed (a production install); kysely loads from its package');
  process.exit(0);
}
const entry = require.resolve('kysely');
const pkgDir = dirname(dirname(entry));
const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const outDir = join(dirname(pkgDir), '.orkestr-prebundled');
const fileName = `kysely-${version}.mjs`;
if (existsSync(join(outDir, fileName)) && !process.argv.includes('--force')) process.exit(0);

await vite.build({
  configFile: false,
  logLevel: 'warn',
  root: dirname(pkgDir),
  build: {
    lib: { entry, formats: ['es'], fileName: () => fileName },
    outDir,
    emptyOutDir: true,
    // Unminified: a stack trace through it stays readable; minifying saved no load time (~30 ms both).
    minify: false,
    target: 'node24',
    copyPublicDir: false,
    sourcemap: false,
  },
});
console.log(`prebundle-kysely: ${join(outDir, fileName)}`);
