import { createHmac } from 'node:crypto';
import type { DB } from './db.ts';
import type { WebhookEvent } from './types.ts';
import { newId, type Clock } from './util.ts';

/** Retries after the first attempt (so at most 6 attempts). */
export const MAX_RETRIES = 5;

export function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

interface DeliveryRow {
  id: string;
  tenant_id: string;
  event: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  last_status: number | null;
  created_at: string;
  delivered_at: string | null;
}

/**
 * Durable webhook deliveries: events are written to `deliveries` inside the transaction that made the
 * change; a single sender loop posts due ones in order and reschedules failures with `base × 2^n`.
 * Delivery timing uses real time (not the sandbox clock) so a fixed clock never stalls retries.
 */
export class Webhooks {
  private readonly db: DB;
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private closed = false;
  private inflight: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly insert;
  private readonly subscription;

  constructor(db: DB, clock: Clock, log: (line: string) => void) {
    this.db = db;
    this.clock = clock;
    this.log = log;
    this.insert = db.prepare(
      "INSERT INTO deliveries (id, tenant_id, event, body, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?)",
    );
    this.subscription = db.prepare('SELECT url, secret, retry_base_ms FROM webhook_subscriptions WHERE tenant_id = ?');
  }

  setSubscription(tenantId: string, url: string, secret: string, retryBaseMs: number): void {
    this.db
      .prepare(
        'INSERT INTO webhook_subscriptions (tenant_id, url, secret, retry_base_ms) VALUES (?, ?, ?, ?) ON CONFLICT(tenant_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, retry_base_ms = excluded.retry_base_ms',
      )
      .run(tenantId, url, secret, retryBaseMs);
    // A (re)configured endpoint gets the pending deliveries right away rather than at their old back-off time.
    this.db.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE tenant_id = ? AND status = 'PENDING' AND next_attempt_at > ?").run(Date.now(), tenantId, Date.now());
    this.kick();
  }

  removeSubscription(tenantId: string): void {
    this.db.prepare('DELETE FROM webhook_subscriptions WHERE tenant_id = ?').run(tenantId);
  }

  /** Records one event for delivery (call inside the write's transaction); none without a subscription. */
  enqueue(tenantId: string, event: WebhookEvent, data: Record<string, unknown>): string | null {
    if (this.subscription.get(tenantId) === undefined) return null;
    const id = newId('dlv');
    const body = JSON.stringify({ event, data });
    this.insert.run(id, tenantId, event, body, Date.now(), this.clock.iso());
    return id;
  }

  list(limit = 1000): unknown[] {
    const rows = this.db.prepare('SELECT * FROM deliveries ORDER BY rowid DESC LIMIT ?').all(limit) as DeliveryRow[];
    return rows.reverse().map((r) => ({
      id: r.id,
      tenant: r.tenant_id,
      event: r.event,
      status: r.status,
      attempts: r.attempts,
      lastStatus: r.last_status,
      lastError: r.last_error,
      nextAttemptAt: r.status === 'PENDING' ? new Date(r.next_attempt_at).toISOString() : null,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      body: r.body,
    }));
  }

  start(): void {
    this.kick();
  }

  /** Wakes the sender (after a commit that enqueued something). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    this.loop = this.drain().finally(() => {
      this.running = false;
      this.loop = null;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.schedule();
    });
  }

  private again = false;

  private schedule(): void {
    if (this.closed) return;
    const next = this.db.prepare("SELECT min(next_attempt_at) AS t FROM deliveries WHERE status = 'PENDING'").get() as { t: number | null };
    if (next.t === null) return;
    const delay = Math.max(0, Math.min(next.t - Date.now(), 60_000));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, delay);
    this.timer.unref?.();
  }

  private async drain(): Promise<void> {
    const due = this.db.prepare("SELECT * FROM deliveries WHERE status = 'PENDING' AND next_attempt_at <= ? ORDER BY rowid LIMIT 1");
    while (!this.closed) {
      const row = due.get(Date.now()) as DeliveryRow | undefined;
      if (!row) return;
      await this.attempt(row);
    }
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    const sub = this.subscription.get(row.tenant_id) as { url: string; secret: string; retry_base_ms: number } | undefined;
    if (!sub) {
      this.db.prepare("UPDATE deliveries SET status = 'FAILED', last_error = 'no webhook subscription' WHERE id = ?").run(row.id);
      return;
    }
    const controller = new AbortController();
    this.inflight = controller;
    const timeout = setTimeout(() => controller.abort(), 10_000);
    let error: string | null = null;
    let status: number | null = null;
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-orkestr-signature': sign(row.body, sub.secret),
          'x-orkestr-delivery-id': row.id,
          'x-orkestr-event': row.event,
          'user-agent': 'Orkestr-Sandbox-Webhooks/1',
        },
        body: row.body,
        signal: controller.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).message || String(e);
      if ((e as { cause?: { code?: string } }).cause?.code) error += ` (${(e as { cause: { code: string } }).cause.code})`;
    } finally {
      clearTimeout(timeout);
      this.inflight = null;
    }
    if (this.closed && error !== null) return; // shutting down: leave it pending for the next start
    const attempts = row.attempts + 1;
    if (error === null) {
      this.db.prepare("UPDATE deliveries SET status = 'DELIVERED', attempts = ?, last_status = ?, last_error = NULL, delivered_at = ? WHERE id = ?").run(attempts, status, this.clock.iso(), row.id);
      this.log(`webhook ${row.event} ${row.id} delivered (attempt ${attempts})`);
    } else if (attempts > MAX_RETRIES) {
      this.db.prepare("UPDATE deliveries SET status = 'FAILED', attempts = ?, last_status = ?, last_error = ? WHERE id = ?").run(attempts, status, error, row.id);
      this.log(`webhook ${row.event} ${row.id} failed for good after ${attempts} attempts: ${error}`);
    } else {
      const delay = sub.retry_base_ms * 2 ** (attempts - 1);
      this.db.prepare('UPDATE deliveries SET attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?').run(attempts, status, error, Date.now() + delay, row.id);
      this.log(`webhook ${row.event} ${row.id} attempt ${attempts} failed (${error}); retry in ${delay} ms`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.inflight?.abort();
    await this.loop?.catch(() => undefined);
  }
}
