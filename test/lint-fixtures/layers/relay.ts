// lint-as: src/relay/__layer_fixture__.ts
// The relay is its own deployable: its own files and src/shared (Node part included), nothing else.
import { startRelay } from './server.ts';
import { closeCodes } from './protocol/index.ts';
import { runCommand } from '../shared/node/command-line.ts';
import { backoffMs } from '../shared/backoff.ts';
import { UsageError } from '../main/cli/command.ts'; // ✗ import-x/no-restricted-paths
import type { ConsoleCore } from '../main/core/index.ts'; // ✗ import-x/no-restricted-paths
import { startSandbox } from '../sandbox/index.ts'; // ✗ import-x/no-restricted-paths
