// lint-as: src/renderer/src/__layer_fixture__.tsx
// The renderer knows the zod-free contract and src/shared/backoff.ts, nothing else of ours.
import type { BookingView } from '../../shared/contract/types.ts';
import { ipcChannels } from '../../shared/contract/channels.ts';
import { coreMessage } from '../../shared/contract/messages.ts';
import { backoffMs } from '../../shared/backoff.ts';
import { readToken } from './lib/transport.ts';
import { parseCall } from '../../shared/contract/schemas.ts'; // ✗ import-x/no-restricted-paths
import type { ConsoleCore } from '../../main/core/index.ts'; // ✗ import-x/no-restricted-paths
import { runCommand } from '../../shared/node/command-line.ts'; // ✗ import-x/no-restricted-paths
import { rendererCsp } from '../../shared/csp.ts'; // ✗ import-x/no-restricted-paths
import { z } from 'zod'; // ✗ no-restricted-imports
import { readFileSync } from 'node:fs'; // ✗ no-restricted-imports
import { ipcRenderer } from 'electron'; // ✗ no-restricted-imports
export const lazyCore = () => import('../../main/app.ts'); // ✗ import-x/no-restricted-paths
export { startSandbox } from '../../sandbox/index.ts'; // ✗ import-x/no-restricted-paths
