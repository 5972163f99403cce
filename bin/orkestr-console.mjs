#!/usr/bin/env node
// The CLI runs the TypeScript sources directly (Node ≥ 24 strips types), so it works right after
// `npm install` with no build step. `npx` puts node_modules/.bin first on PATH, which is where the
// pinned Node 24 devDependency lives, so this shebang finds it even where the system Node is older.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`orkestr-console: needs Node 24 or newer (this is ${process.version}); run it through npx or npm so the project's Node is used.`);
  process.exit(1);
}
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
