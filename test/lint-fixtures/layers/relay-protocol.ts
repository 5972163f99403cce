// lint-as: src/relay/protocol/__layer_fixture__.ts
// The protocol is what the relay server and the console core share: it imports src/shared only.
import { streamPath } from './frames.ts';
import { backoffMs } from '../../shared/backoff.ts';
import { startRelay } from '../server.ts'; // ✗ import-x/no-restricted-paths
import { createCore } from '../../main/core/index.ts'; // ✗ import-x/no-restricted-paths
