/**
 * What every feature of the core is built from: the replica and the sync machinery, the way to tell
 * the UI, the clock, the log (base.ts), and the session (settings, tenant, secrets). The composition
 * root (index.ts) makes one and hands it to each feature's handler slice.
 */
import type { CoreBase } from './base.ts';
import type { Session } from './settings/session.ts';

export type { CoreBase, Emit, Listener, Table } from './base.ts';

export interface CoreContext extends CoreBase {
  readonly session: Session;
}
