/**
 * Reviews as the platform tells them (issue #14): each `review.created` webhook the relay link stored,
 * newest first, with its offering's title, beside the offerings' aggregates (rating average and count
 * as the server keeps them: they also count reviews older than this replica).
 */
import type { MethodInput, ReviewsPage } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';

export function listReviews(replica: Replica, input: MethodInput<'reviews.list'>): ReviewsPage {
  const offeringId = input.offeringId ?? null;
  const limit = input.limit ?? 200;
  const offset = input.offset ?? 0;
  const where = offeringId === null ? '' : 'WHERE r.offering_id = @offeringId';
  const rows = replica
    .stmt(
      `SELECT r.id, r.offering_id, o.title AS offering_title, r.rating, r.body, r.created_at
       FROM reviews r LEFT JOIN offerings o ON o.id = r.offering_id ${where}
       ORDER BY r.created_at DESC, r.id DESC LIMIT @limit OFFSET @offset`,
    )
    .all({ offeringId, limit, offset }) as Array<{ id: string; offering_id: string; offering_title: string | null; rating: number; body: string | null; created_at: string }>;
  const total = (replica.stmt(`SELECT COUNT(*) AS n FROM reviews r ${where}`).get({ offeringId }) as { n: number }).n;
  const offerings = replica
    .stmt(
      `SELECT id, title, rating_average, review_count FROM offerings
       WHERE deleted_at IS NULL AND (review_count > 0 OR id IN (SELECT offering_id FROM reviews))
       ORDER BY review_count DESC, title`,
    )
    .all() as Array<{ id: string; title: string; rating_average: number | null; review_count: number | null }>;
  return {
    items: rows.map((r) => ({ id: r.id, offeringId: r.offering_id, offeringTitle: r.offering_title, rating: r.rating, body: r.body, createdAt: r.created_at })),
    total,
    offerings: offerings.map((o) => ({ id: o.id, title: o.title, ratingAverage: o.rating_average, reviewCount: o.review_count ?? 0 })),
  };
}
