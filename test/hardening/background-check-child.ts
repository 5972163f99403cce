/**
 * For background-check.test.ts: opens a core on argv[2] as the engine does, starts it, waits for the
 * background damage check to report, closes the core and returns from the module: the process must
 * then end by itself (nothing of the check may keep it alive).
 */
import { createCore } from '../../src/main/core/index.ts';

const file = process.argv[2]!;
let reported!: () => void;
const done = new Promise<void>((resolve) => (reported = resolve));
const core = createCore({
  dbFile: file,
  transport: 'bridge',
  appVersion: 'test',
  integrityCheck: 'background',
  integrityCheckDelayMs: 0,
  log: (line) => {
    if (/replica check: .* is sound/.test(line)) reported();
  },
  onReplicaDamaged: () => reported(),
});
core.start();
await done;
await core.close();
console.log('closed');
