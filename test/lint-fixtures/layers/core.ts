// lint-as: src/main/core/__layer_fixture__.ts
// The core depends on src/shared and the relay protocol only, never on what hosts it.
import { parseCall } from '../../shared/contract/schemas.ts';
import { backoffMs } from '../../shared/backoff.ts';
import { connectRelayStream } from '../../relay/protocol/index.ts';
import { createCore } from './index.ts';
import { windowOptions } from '../shell/window-policy.ts'; // ✗ import-x/no-restricted-paths
import type { SecretKeeper } from '../shell/secret-store.ts'; // ✗ import-x/no-restricted-paths
import { main } from '../cli/main.ts'; // ✗ import-x/no-restricted-paths
import { startBridge } from '../bridge/bridge.ts'; // ✗ import-x/no-restricted-paths
import type { EngineSupervisor } from '../engine/supervisor.ts'; // ✗ import-x/no-restricted-paths
import { dispatchCall } from '../dispatch.ts'; // ✗ import-x/no-restricted-paths
import { startConsole } from '../app.ts'; // ✗ import-x/no-restricted-paths
import { startRelay } from '../../relay/server.ts'; // ✗ import-x/no-restricted-paths
import { startSandbox } from '../../sandbox/index.ts'; // ✗ import-x/no-restricted-paths
export const lazyHost = () => import('../engine/host.ts'); // ✗ import-x/no-restricted-paths
