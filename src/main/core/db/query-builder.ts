import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as KyselyModule from 'kysely';

/**
 * Loads the query builder (kysely) synchronously, once per thread that asks. kysely ships ~250 ES
 * modules, and Node loads a module graph in one synchronous block whatever the import style
 * (import() included): 150–250 ms of the engine's loop from the TypeScript sources (the CLI, `serve`,
 * the benches). `npm install` pre-bundles it into one file (scripts/prebundle-kysely.mjs), which
 * loads in ~30 ms; without that file it loads from its package. The built engine replaces this module
 * with query-builder.bundled.ts (electron.vite.config.ts), where kysely is part of the bundle.
 */
export function loadQueryBuilder(): typeof KyselyModule {
  const require = createRequire(import.meta.url);
  return require(prebundledKyselyFile() ?? 'kysely') as typeof KyselyModule;
}

/** The one-file kysely `npm install` wrote beside the package, for the installed version; null when absent. */
export function prebundledKyselyFile(): string | null {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(dirname(require.resolve('kysely')));
  } catch {
    return null;
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const file = join(dirname(pkgDir), '.orkestr-prebundled', `kysely-${version}.mjs`);
  return existsSync(file) ? file : null;
}
