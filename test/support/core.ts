/**
 * The console core as its hosts see it: made with `createCore` (src/main/core/index.ts) and driven
 * through `dispatchCall` — the contract, with its validation and error mapping — plus the lifecycle
 * the hosts use (start, runOnce, close, events). Tests reach the core only this way, so moving code
 * inside the core cannot break them; what is stored is read from the replica file itself (`readReplica`).
 */
import Database from 'better-sqlite3';
import { createCore, type ConsoleCoreOptions } from '../../src/main/core/index.ts';
import { dispatchCall } from '../../src/main/dispatch.ts';
import type { ContractErrorShape, ContractEvents, EventName, MethodInput, MethodName, MethodResults } from '../../src/shared/contract/types.ts';

export type Core = ReturnType<typeof createCore>;

export interface RecordedEvent {
  event: EventName;
  payload: unknown;
}

export interface TestCore {
  core: Core;
  dbFile: string;
  /** A contract call; throws (with the contract's code) when it fails. */
  call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodResults[M]>;
  /** A contract call expected to fail: its error. */
  callError(method: MethodName, input?: unknown): Promise<ContractErrorShape>;
  /** Every event since the core was opened. */
  events: RecordedEvent[];
  eventsOf<E extends EventName>(event: E): Array<ContractEvents[E]>;
}

export class ContractCallError extends Error {
  override name = 'ContractCallError';
  readonly code: string;
  constructor(method: string, error: ContractErrorShape) {
    super(`${method}: ${error.code} ${error.message}`);
    this.code = error.code;
  }
}

/** Calls one contract method on any core (e.g. the one `startConsole` made). */
export async function callCore<M extends MethodName>(core: Core, method: M, input: MethodInput<M> | Record<string, never> = {}): Promise<MethodResults[M]> {
  const out = await dispatchCall(core, method, input);
  if (!out.ok) throw new ContractCallError(method, out.error);
  return out.result as MethodResults[M];
}

export function wrapCore(core: Core, dbFile: string): TestCore {
  const events: RecordedEvent[] = [];
  core.on((event, payload) => events.push({ event, payload }));
  return {
    core,
    dbFile,
    call: (method, input) => callCore(core, method, input ?? {}),
    async callError(method, input = {}) {
      const out = await dispatchCall(core, method, input);
      if (out.ok) throw new Error(`${method} was expected to fail, and answered ${JSON.stringify(out.result).slice(0, 300)}`);
      return out.error;
    },
    events,
    eventsOf: <E extends EventName>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as ContractEvents[E]),
  };
}

/** A new core on `dbFile`; close it with `core.close()`. */
export function openCore(options: ConsoleCoreOptions): TestCore {
  return wrapCore(createCore(options), options.dbFile);
}

/**
 * Reads the replica file with a connection of its own, as another process would: the file is the
 * product's durable state, so this observes behaviour, not the core's objects.
 */
export function readReplica<T>(dbFile: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return read(db);
  } finally {
    db.close();
  }
}

/** One row of the outbox as stored (the idempotency key is not part of the contract's IntentView). */
export interface StoredIntent {
  id: string;
  idempotency_key: string;
  kind: string;
  target_id: string;
  state: string;
  attempts: number;
  schema_version: number;
}

export function storedIntent(dbFile: string, id: string): StoredIntent {
  const row = readReplica(dbFile, (db) => db.prepare('SELECT id, idempotency_key, kind, target_id, state, attempts, schema_version FROM outbox WHERE id = ?').get(id) as StoredIntent | undefined);
  if (!row) throw new Error(`no intent ${id} in ${dbFile}`);
  return row;
}

export function countRows(dbFile: string, table: string): number {
  return readReplica(dbFile, (db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
}
