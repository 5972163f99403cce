// lint-as: src/sandbox/__layer_fixture__.ts
// The sandbox is its own deployable: its own files and src/shared only.
import { Keys } from './auth.ts';
import { apiKeyPattern } from '../shared/contract/types.ts';
import { runCommand } from '../shared/node/command-line.ts';
import { createCore } from '../main/core/index.ts'; // ✗ import-x/no-restricted-paths
import { UsageError } from '../main/cli/command.ts'; // ✗ import-x/no-restricted-paths
import { startRelay } from '../relay/index.ts'; // ✗ import-x/no-restricted-paths
import type { RelayEvent } from '../relay/protocol/index.ts'; // ✗ import-x/no-restricted-paths
