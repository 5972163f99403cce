// lint-as: src/main/core/db/migrations/__layer_fixture__.ts
// A shipped migration is frozen text: it imports nothing outside its own folder, not even shared.
import { createCore } from '../../index.ts'; // ✗ import-x/no-restricted-paths
import { openReplicaDb } from '../open.ts'; // ✗ import-x/no-restricted-paths
import type { BookingStatus } from '../../../../shared/contract/types.ts'; // ✗ import-x/no-restricted-paths
