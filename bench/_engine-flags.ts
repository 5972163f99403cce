/**
 * Imported first by a bench that hosts the core in its own process: the core there runs under the V8
 * flags and the malloc env the engine process is given (src/shared/node/v8-heap.ts, passed by
 * src/main/engine/supervisor.ts and the Electron shell), or its memory and GC figures would be of a
 * process the app never runs. A bench started without them (`node bench/scale.ts`) runs itself again
 * with them and exits with its code; `npm run bench` passes them at once.
 */
import { spawnSync } from 'node:child_process';
import { missingEngineEnv, missingEngineFlags } from '../src/shared/node/v8-heap.ts';

const missing = missingEngineFlags();
const env = missingEngineEnv();
if (missing.length > 0 || Object.keys(env).length > 0) {
  const result = spawnSync(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...env } });
  process.exit(result.status ?? 1);
}
