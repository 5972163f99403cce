// lint-as: src/main/cli/commands/__layer_fixture__.ts
// Hosts reach the core through src/main/core/index.ts, the relay and the sandbox through their entry
// points; they use one another, src/shared and the relay protocol freely.
import { createCore } from '../../core/index.ts';
import { startConsole } from '../../app.ts';
import { dispatchCall } from '../../dispatch.ts';
import { startBridge } from '../../bridge/bridge.ts';
import { EngineSupervisor } from '../../engine/supervisor.ts';
import { parseCall } from '../../../shared/contract/schemas.ts';
import { runCommand } from '../../../shared/node/command-line.ts';
import { startRelay } from '../../../relay/index.ts';
import { relayCommand } from '../../../relay/cli.ts';
import type { RelayStream } from '../../../relay/protocol/index.ts';
import { startSandbox } from '../../../sandbox/index.ts';
import { openReplicaDb } from '../../core/db/open.ts'; // ✗ import-x/no-restricted-paths
import { Replica } from '../../core/replica/replica.ts'; // ✗ import-x/no-restricted-paths
import type { ConsoleCoreOptions } from '../../core/options.ts'; // ✗ import-x/no-restricted-paths
import { StreamHub } from '../../../relay/stream.ts'; // ✗ import-x/no-restricted-paths
import { Store } from '../../../sandbox/store.ts'; // ✗ import-x/no-restricted-paths
import { createBridgeApi } from '../../../renderer/src/api.ts'; // ✗ import-x/no-restricted-paths
