/** Offerings stored as a sync would have left them (server truth), for the catalogue reads' tests. */
import type { Replica } from '../../src/main/core/replica/replica.ts';

/** `insert(id, slug, title, deletedAt)`: a PUBLISHED room offering, 10.00 USD. */
export function offeringInserter(replica: Replica): (id: string, slug: string, title: string, deletedAt: string | null) => void {
  const insert = replica.sqlite.prepare(
    `INSERT INTO offerings (id, slug, title, status, product_type_key, base_price_cents, currency, pricing_model, cancellation_policy, created_at, updated_at, deleted_at)
     VALUES (?, ?, ?, 'PUBLISHED', 'room', 1000, 'USD', 'ONE_TIME', 'FLEXIBLE', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', ?)`,
  );
  return (id, slug, title, deletedAt) => void insert.run(id, slug, title, deletedAt);
}
