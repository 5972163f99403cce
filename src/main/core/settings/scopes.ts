/**
 * What the connected API key may do, honoured by the core (issue #14).
 *
 * `/me` says the key's scopes (kept in meta at connect and on every pull). Without `write`:
 * - every contract method that would queue something for the server refuses with READ_ONLY and the
 *   reason, before anything is written (nothing new enters the outbox);
 * - intents queued earlier (the key's scopes shrank later) stay queued, are marked blocked by the key
 *   in `intents.list`, and the push leaves them alone until a key with `write` is connected.
 */
import { ContractError, type IntentView, type MethodName } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';

/** The one English reason, for the CLI, logs and the error's message. */
export const readOnlyReason = 'This API key is read-only (it lacks the write scope).';

/** What a blocked intent says in `intents.list` and `status`. */
export const blockedByKeyReason = 'Blocked by the API key: it is read-only. Kept here, and sent when a key with the write scope is connected.';

/**
 * Methods that queue work for the server (an intent, a batch of intents, a retried refusal). Local
 * housekeeping stays allowed for a read-only key: undoing or withdrawing an intent that never left,
 * discarding a conflict, settings, calendar feeds.
 */
export const writeMethods = [
  'bookings.approve',
  'bookings.cancel',
  'bookings.reschedule',
  'bookings.setNotes',
  'offerings.create',
  'offerings.patch',
  'offerings.delete',
  'coupons.create',
  'coupons.patch',
  'coupons.delete',
  'import.commit',
  'import.resume',
  'import.rollback',
] as const satisfies readonly MethodName[];

/** True when the scopes allow writes; unknown scopes (no answer yet, an older server) count as read + write. */
export function scopesAllowWrite(scopes: readonly string[] | null): boolean {
  return scopes === null || scopes.includes('write');
}

function readOnlyError(): ContractError {
  return new ContractError('READ_ONLY', readOnlyReason);
}

/**
 * Wraps the write handlers (and `conflicts.resolve` with `retry`, which queues the intent again) so a
 * read-only key is refused before the handler runs; `intents.list` marks queued intents blocked.
 */
export function guardWrites(handlers: ContractHandlers, writable: () => boolean): ContractHandlers {
  const guarded: ContractHandlers = { ...handlers };
  for (const method of writeMethods) {
    const inner = handlers[method] as (input: unknown) => unknown;
    (guarded as Record<string, (input: unknown) => unknown>)[method] = (input: unknown) => {
      if (!writable()) throw readOnlyError();
      return inner(input);
    };
  }
  const resolve = handlers['conflicts.resolve'];
  guarded['conflicts.resolve'] = (input) => {
    if (input.choice === 'retry' && !writable()) throw readOnlyError();
    return resolve(input);
  };
  const list = handlers['intents.list'];
  guarded['intents.list'] = async (input) => markBlocked(await list(input), writable());
  return guarded;
}

/** Queued (or held) intents carry `blockedBy: 'key'` while the key cannot write. */
export function markBlocked(intents: IntentView[], writable: boolean): IntentView[] {
  return intents.map((i) => ({ ...i, blockedBy: !writable && (i.state === 'queued' || i.state === 'held') ? ('key' as const) : null }));
}

/**
 * Notices when the stored scopes change (a pull's `/me` says the key lost or gained `write`), so the
 * core can tell the UI (`session.changed`) and, with `write` back, send what waited.
 */
export class ScopeWatch {
  readonly #read: () => readonly string[] | null;
  #last: string;
  constructor(read: () => readonly string[] | null) {
    this.#read = read;
    this.#last = JSON.stringify(read());
  }
  /** True once per change since the last call. */
  changed(): boolean {
    const now = JSON.stringify(this.#read());
    if (now === this.#last) return false;
    this.#last = now;
    return true;
  }
}
