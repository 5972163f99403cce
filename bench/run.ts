/**
 * `npm run bench`: runs every benchmark in this folder, one process each (so one's memory and JIT
 * state cannot colour another's figures), and prints their figures. Each benchmark measures its own
 * floor in the same run and reports ratios against it; targets are printed beside the figures.
 * `npm run bench -- sync calendar` runs only those.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { engineMallocEnv, engineV8Flags } from '../src/shared/node/v8-heap.ts';

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--expose-gc', ...engineV8Flags, join(here, `${name}.ts`)], { stdio: 'inherit', env: { ...process.env, ...engineMallocEnv } });
  console.log(`=== ${name}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
