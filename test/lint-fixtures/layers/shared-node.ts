// lint-as: src/shared/node/__layer_fixture__.ts
// The Node-only part of src/shared: Node modules and the rest of src/shared, still nothing else of ours.
import { createServer } from 'node:http';
import type { BookingView } from '../contract/types.ts';
import { backoffMs } from '../backoff.ts';
import { startRelay } from '../../relay/server.ts'; // ✗ import-x/no-restricted-paths
import type { ConsoleCore } from '../../main/core/index.ts'; // ✗ import-x/no-restricted-paths
