import type { RelayStore } from './store.ts';

/**
 * Whether this node can take webhooks now. `/healthz` tells a load balancer only `ok` or `degraded`
 * (it is unauthenticated: a store error can name an internal address or a database user); the reason
 * goes to the log (`health_degraded`, once per change) and the numbers to `/metrics`.
 *
 * Degraded when any of:
 * - the store does not answer a trivial query within `checkTimeoutMs` (on PostgreSQL the LISTEN link
 *   must be up too);
 * - intake is blocked: an ingest has been waiting for its commit longer than `blockedAfterMs` (a lock
 *   held by a frozen node, a stalled disk);
 * - intake is failing: the last ingest could not be stored, less than `failingForMs` ago, and none
 *   has been stored since.
 */
export class IntakeMonitor {
  #pending = new Map<number, number>();
  #nextId = 0;
  #lastFailureAt = -Infinity;
  #lastSuccessAt = -Infinity;

  /** An ingest starts waiting for the store; returns its ticket for `end`. */
  begin(at: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, at);
    return id;
  }

  end(id: number, stored: boolean, at: number): void {
    this.#pending.delete(id);
    if (stored) this.#lastSuccessAt = at;
    else this.#lastFailureAt = at;
  }

  /** How long the oldest ingest still waiting has waited (0 when none waits). */
  oldestPendingMs(at: number): number {
    let oldest = at;
    for (const started of this.#pending.values()) if (started < oldest) oldest = started;
    return at - oldest;
  }

  failing(at: number, failingForMs: number): boolean {
    return this.#lastFailureAt > this.#lastSuccessAt && at - this.#lastFailureAt < failingForMs;
  }
}

export interface HealthOptions {
  blockedAfterMs: number;
  checkTimeoutMs: number;
  failingForMs: number;
}

export interface HealthVerdict {
  ok: boolean;
  /** For the log only. */
  reason: string | null;
  storeUp: boolean;
  intakeBlocked: boolean;
  oldestPendingMs: number;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export async function checkHealth(store: RelayStore, intake: IntakeMonitor, options: HealthOptions, now: () => number): Promise<HealthVerdict> {
  let storeError: string | null = null;
  try {
    await withTimeout(store.health(), options.checkTimeoutMs, 'the store health check');
  } catch (error) {
    storeError = (error as Error).message;
  }
  const at = now();
  const oldestPendingMs = intake.oldestPendingMs(at);
  const intakeBlocked = oldestPendingMs > options.blockedAfterMs;
  const failing = intake.failing(at, options.failingForMs);
  const reason =
    storeError !== null
      ? `store: ${storeError}`
      : intakeBlocked
        ? `intake blocked: an ingest has waited ${oldestPendingMs} ms for the store`
        : failing
          ? 'intake failing: the last ingest could not be stored'
          : null;
  return { ok: reason === null, reason, storeUp: storeError === null, intakeBlocked, oldestPendingMs };
}
