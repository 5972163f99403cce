/**
 * Push: drains the outbox. Intents of different records go out concurrently (a few at a time); a
 * later intent on a record waits for the earlier one. Transient failures (network, 5xx, 429) retry
 * with exponential back-off + jitter, never sooner than Retry-After; permanent refusals (409/422/404)
 * become conflicts with the server's truth and never block other records; 401/403 stop the drain
 * (the engine pauses) and keep the outbox.
 */
import { ApiError, type ApiClient } from './api-client.ts';
import { recordPath, recordKind, type Outbox } from './outbox.ts';
import type { IntentRow } from './overlay.ts';
import { backoffMs } from '../../../shared/backoff.ts';

export class AuthPause extends Error {
  override name = 'AuthPause';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface PushHooks {
  /** The record as the console shows it with this intent applied (stored beside a conflict). */
  localView(intent: IntentRow): unknown;
  /** `ids`: the records whose rows changed. */
  onChange(tables: Array<'bookings' | 'offerings' | 'coupons' | 'intents' | 'conflicts'>, ids?: string[]): void;
  onNetwork(ok: boolean, error?: ApiError): void;
  /** False while the connected key is read-only: queued intents stay (blocked by the key), nothing is sent. */
  canWrite?(): boolean;
}

export interface DrainResult {
  sent: number;
  conflicts: number;
  retrying: number;
}

export class Pusher {
  readonly outbox: Outbox;
  readonly hooks: PushHooks;
  readonly concurrency: number;
  /** Longest wait between two attempts of one intent (back-off cap; Retry-After may ask for more). */
  readonly retryCapMs: number;
  readonly inFlight = new Set<string>();
  readonly #inFlightTargets = new Set<string>();

  constructor(outbox: Outbox, hooks: PushHooks, concurrency = 4, retryCapMs = 60_000) {
    this.outbox = outbox;
    this.hooks = hooks;
    this.concurrency = concurrency;
    this.retryCapMs = retryCapMs;
  }

  /** Sends everything eligible now; returns when nothing more is eligible. Throws AuthPause on 401/403. */
  async drain(api: ApiClient, signal: AbortSignal): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, conflicts: 0, retrying: 0 };
    if (!this.writable()) return result;
    let pause: AuthPause | null = null;
    const workers: Promise<void>[] = [];
    this.outbox.releaseDeadClaims();
    const worker = async (): Promise<void> => {
      for (let guard = 0; guard < 100_000; guard++) {
        if (signal.aborted || pause) return;
        const [candidate] = this.outbox.eligible(Date.now(), 1, this.#inFlightTargets);
        if (!candidate) return;
        // Another process on this replica may have taken it since: then look again (it is no longer eligible).
        const intent = this.outbox.claim(candidate.id);
        if (!intent) continue;
        this.inFlight.add(intent.id);
        this.#inFlightTargets.add(intent.target_id);
        try {
          const outcome = await this.sendOne(api, intent, signal);
          if (outcome === 'done') result.sent++;
          else if (outcome === 'conflict') result.conflicts++;
          else result.retrying++;
        } catch (error) {
          if (error instanceof AuthPause) pause = error;
          else if (!signal.aborted) throw error;
        } finally {
          this.inFlight.delete(intent.id);
          this.#inFlightTargets.delete(intent.target_id);
        }
        if (result.retrying > 0 && this.outbox.eligible(Date.now(), 1, this.#inFlightTargets).length === 0) return;
      }
    };
    for (let i = 0; i < this.concurrency; i++) workers.push(worker());
    await Promise.all(workers);
    if (pause) throw pause;
    return result;
  }

  /** Whether the connected key may write (see PushHooks.canWrite). */
  writable(): boolean {
    return this.hooks.canWrite?.() ?? true;
  }

  /** Sends one intent this process has claimed (`Outbox.claim`). */
  async sendOne(api: ApiClient, intent: IntentRow, signal: AbortSignal): Promise<'done' | 'conflict' | 'retry'> {
    this.hooks.onChange(['intents'], [intent.target_id]);
    try {
      const res = await api.request(intent.method, intent.path, { body: intent.body, idempotencyKey: intent.idempotency_key, priority: 'user', signal });
      this.outbox.complete(intent, res.status, res.body);
      this.hooks.onNetwork(true);
      // A create's answer maps its temporary id to the server's: both name the changed row.
      const serverId = res.body && typeof res.body === 'object' && typeof (res.body as { id?: unknown }).id === 'string' ? (res.body as { id: string }).id : null;
      this.hooks.onChange(['intents', tableOf(intent)], serverId && serverId !== intent.target_id ? [intent.target_id, serverId] : [intent.target_id]);
      return 'done';
    } catch (error) {
      if (signal.aborted) throw error;
      if (!(error instanceof ApiError)) throw error;
      if (error.kind === 'auth' || error.kind === 'forbidden') {
        this.outbox.retryLater(intent.id, `${error.code}: ${error.message}`, 0);
        throw new AuthPause(error.status, error.message);
      }
      if (error.kind === 'network' || error.kind === 'transient') {
        const attempts = intent.attempts;
        const delay = Math.max(error.retryAfterMs ?? 0, backoffMs(attempts, 500, this.retryCapMs));
        this.outbox.retryLater(intent.id, `${error.code}: ${error.message}`, delay);
        this.hooks.onNetwork(error.kind !== 'network', error);
        this.hooks.onChange(['intents'], [intent.target_id]);
        return 'retry';
      }
      this.hooks.onNetwork(true);
      // Permanent. Some refusals mean the server already has what we asked for: converge.
      const current = (error.details?.['current'] ?? null) as { status?: unknown } | null;
      if (error.status === 409 && current && typeof current === 'object') {
        if ((intent.kind === 'booking.approve' && (current.status === 'CONFIRMED' || current.status === 'COMPLETED')) || (intent.kind === 'booking.cancel' && current.status === 'CANCELLED')) {
          this.outbox.complete(intent, error.status, current);
          this.hooks.onChange(['intents', tableOf(intent)], [intent.target_id]);
          return 'done';
        }
      }
      let server: unknown = current;
      if (server === null && !intent.kind.endsWith('.create')) {
        try {
          server = (await api.get(recordPath(intent.kind, intent.target_id), { priority: 'user', signal })).body;
        } catch {
          server = null;
        }
      }
      this.outbox.conflict(intent, { status: error.status, code: error.code, message: error.message, server, local: this.hooks.localView(intent) });
      this.hooks.onChange(['intents', 'conflicts', tableOf(intent)], [intent.target_id]);
      return 'conflict';
    }
  }
}

function tableOf(intent: IntentRow): 'bookings' | 'offerings' | 'coupons' {
  const k = recordKind(intent.kind);
  return k === 'booking' ? 'bookings' : k === 'offering' ? 'offerings' : 'coupons';
}
