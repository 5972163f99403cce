// lint-as: src/shared/contract/__layer_fixture__.ts
// src/shared imports nothing of ours outside src/shared; its browser-safe part no Node module, not
// src/shared/node and not the zod schemas.
import type { BookingView } from './types.ts';
import { backoffMs } from '../backoff.ts';
import { dispatchCall } from '../../main/dispatch.ts'; // ✗ import-x/no-restricted-paths
import type { RelayEvent } from '../../relay/protocol/index.ts'; // ✗ import-x/no-restricted-paths
import { runCommand } from '../node/command-line.ts'; // ✗ import-x/no-restricted-paths
import { parseCall } from './schemas.ts'; // ✗ import-x/no-restricted-paths
import { createHash } from 'node:crypto'; // ✗ no-restricted-imports
import { z } from 'zod'; // ✗ no-restricted-imports
