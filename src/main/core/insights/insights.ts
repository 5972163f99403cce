/** The provider's score and the one input to move (from the replica: server truth, no intents). */
import { coverage } from '../retention/index.ts';
import { settingsRow } from '../settings/store.ts';
import type { InsightsView } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import type { Replica } from '../replica/replica.ts';

export type InsightsMethod = 'insights.get';

/**
 * score = 0.5·rating/5 + 0.3·responseRate + 0.2·confirmationRate, from the replica (server truth):
 * - rating: review-count-weighted average of the offerings' ratingAverage;
 * - responseRate: of the bookings that needed an answer (all but those still PENDING for < 24 h),
 *   the share that got one (no longer PENDING);
 * - confirmationRate: confirmed (CONFIRMED/COMPLETED) over provider decisions (confirmed + cancelled
 *   by the provider + refunded);
 * - lever: the input with the largest weighted shortfall, weight × (1 − value): the one to move.
 */
export function insights(replica: Replica, now = Date.now()): InsightsView {
  const r = replica.stmt('SELECT SUM(rating_average * review_count) AS w, SUM(review_count) AS n FROM offerings WHERE deleted_at IS NULL AND rating_average IS NOT NULL').get() as {
    w: number | null;
    n: number | null;
  };
  const reviews = r.n ?? 0;
  const average = reviews > 0 ? (r.w ?? 0) / reviews : null;
  const dayAgo = new Date(now - 24 * 3600_000).toISOString();
  const s = replica
    .stmt(
      `SELECT
         SUM(CASE WHEN status = 'PENDING' AND created_at >= ? THEN 0 ELSE 1 END) AS total,
         SUM(CASE WHEN status <> 'PENDING' THEN 1 ELSE 0 END) AS answered,
         SUM(CASE WHEN status IN ('CONFIRMED','COMPLETED') THEN 1 ELSE 0 END) AS confirmed,
         SUM(CASE WHEN status IN ('CONFIRMED','COMPLETED','REFUNDED') OR (status = 'CANCELLED' AND COALESCE(cancelled_by, 'provider') <> 'customer') THEN 1 ELSE 0 END) AS decided
       FROM bookings`,
    )
    .get(dayAgo) as { total: number | null; answered: number | null; confirmed: number | null; decided: number | null };
  const total = s.total ?? 0;
  const answered = s.answered ?? 0;
  const confirmed = s.confirmed ?? 0;
  const decided = s.decided ?? 0;
  const ratingValue = average === null ? 0 : Math.min(1, average / 5);
  const responseValue = total > 0 ? answered / total : 0;
  const confirmationValue = decided > 0 ? confirmed / decided : 0;
  const parts = {
    rating: { weight: 0.5, value: ratingValue },
    responseRate: { weight: 0.3, value: responseValue },
    confirmationRate: { weight: 0.2, value: confirmationValue },
  };
  let lever: InsightsView['lever'] = 'rating';
  let worst = -1;
  for (const [name, p] of Object.entries(parts) as Array<[InsightsView['lever'], { weight: number; value: number }]>) {
    const gap = p.weight * (1 - p.value);
    if (gap > worst + 1e-12) {
      worst = gap;
      lever = name;
    }
  }
  const round = (x: number): number => Math.round(x * 10_000) / 10_000;
  const rc = 0.5 * ratingValue;
  const pc = 0.3 * responseValue;
  const cc = 0.2 * confirmationValue;
  return {
    score: round(rc + pc + cc),
    rating: { average: average === null ? null : round(average), reviews, contribution: round(rc) },
    responseRate: { value: round(responseValue), answered, total, contribution: round(pc) },
    confirmationRate: { value: round(confirmationValue), confirmed, decided, contribution: round(cc) },
    lever,
    window: coverage(settingsRow(replica).retainPastDays, now),
  };
}

export function insightsHandlers(ctx: CoreContext): Pick<ContractHandlers, InsightsMethod> {
  return { 'insights.get': () => insights(ctx.replica, ctx.now()) };
}
