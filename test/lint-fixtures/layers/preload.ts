// lint-as: src/preload/__layer_fixture__.ts
// The preload exposes the contract over IPC: electron and the contract's types and channels only.
import { contextBridge } from 'electron';
import { ipcChannels } from '../shared/contract/channels.ts';
import type { ConsoleApi } from '../shared/contract/types.ts';
import { parseCall } from '../shared/contract/schemas.ts'; // ✗ import-x/no-restricted-paths
import { dispatchCall } from '../main/dispatch.ts'; // ✗ import-x/no-restricted-paths
import { readFileSync } from 'node:fs'; // ✗ no-restricted-imports
import { z } from 'zod'; // ✗ no-restricted-imports
