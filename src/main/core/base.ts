/**
 * The part of the CoreContext made before the session (which is built from it): the replica, the
 * sync machinery, events, the log and the clock. See context.ts.
 */
import type { ContractEvents, EventName } from '../../shared/contract/types.ts';
import type { ConsoleCoreOptions } from './options.ts';
import type { Replica } from './replica/replica.ts';
import type { Pruner } from './retention/index.ts';
import type { SyncEngine } from './sync/engine.ts';
import type { Outbox } from './sync/outbox.ts';
import type { Pusher } from './sync/push.ts';

export type Listener = <E extends EventName>(event: E, payload: ContractEvents[E]) => void;
/** Sends one contract event to every listener. */
export type Emit = Listener;
export type Table = ContractEvents['data.changed']['tables'][number];

export interface CoreBase {
  readonly options: ConsoleCoreOptions;
  readonly replica: Replica;
  readonly outbox: Outbox;
  readonly pusher: Pusher;
  readonly engine: SyncEngine;
  /** Removes bookings past the retention window in the background (settings.retainPastDays). */
  readonly pruner: Pruner;
  readonly emit: Emit;
  on(listener: Listener): () => void;
  /** One data.changed for these tables (deduplicated) and a fresh sync status; nothing once closed. */
  notifyChanged(tables: Table[], ids?: readonly string[]): void;
  log(line: string): void;
  /** Milliseconds since the epoch (Date.now). */
  now(): number;
  /** Whether close() has run: timers that fire later do nothing then. */
  closed(): boolean;
  /** Runs `fn` when the core closes, before the replica does (a feature's worker, say). */
  onClose(fn: () => Promise<void>): void;
  /** Runs `fn` when the core starts (start()): work done ahead of need, such as warming a worker. */
  onStart(fn: () => Promise<unknown>): void;
}
