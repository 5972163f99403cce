import * as kysely from 'kysely';

// The built engine's query-builder.ts (electron.vite.config.ts puts this in its place): kysely is
// bundled into the engine's own chunk, so it is loaded with the engine and there is nothing to find.
export function loadQueryBuilder(): typeof kysely {
  return kysely;
}
