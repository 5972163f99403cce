/** Row types of the replica, for kysely's query builder (snake_case, as stored). */

export interface BookingsTable {
  id: string;
  status: string;
  offering_id: string;
  offering_title: string;
  customer_id: string;
  customer_name: string;
  customer_email: string;
  customer_timezone: string | null;
  subtotal_cents: number;
  discount_cents: number;
  tax_cents: number;
  total_cents: number;
  currency: string;
  coupon_code: string | null;
  risk_score: number | null;
  risk_review_status: string | null;
  notes: string;
  refund_percent: number | null;
  cancel_reason: string | null;
  cancelled_by: string | null;
  starts_at: string | null;
  created_at: string;
  updated_at: string;
  version: number | null;
}

export interface BookingItemsTable {
  id: string;
  booking_id: string;
  position: number;
  offering_id: string;
  starts_at: string;
  ends_at: string;
  quantity: number;
  price_cents: number;
}

export interface PaymentsTable {
  id: string;
  booking_id: string;
  amount_cents: number;
  currency: string;
  status: string;
  created_at: string;
}

export interface OfferingsTable {
  id: string;
  slug: string;
  title: string;
  description: string;
  status: string;
  product_type_key: string;
  categories: string;
  attributes: string;
  base_price_cents: number;
  currency: string;
  tax_rate_bps: number;
  pricing_model: string;
  cancellation_policy: string;
  rating_average: number | null;
  review_count: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  version: number | null;
}

export interface CouponsTable {
  id: string;
  code: string;
  kind: string;
  amount: number;
  currency: string | null;
  valid_from: string | null;
  valid_until: string | null;
  max_redemptions: number | null;
  min_subtotal_cents: number;
  redeemed_count: number;
  active: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  version: number | null;
}

export interface OutboxTable {
  seq: number;
  id: string;
  idempotency_key: string;
  kind: string;
  target_id: string;
  method: string;
  path: string;
  body: string | null;
  payload: string;
  base_version: number | null;
  state: string;
  created_at: string;
  hold_until: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  response_status: number | null;
  done_at: string | null;
  schema_version: number;
  /** The process sending it right now (`<pid>:<start time>`, outbox.ts `claim`), else null. */
  claimed_by: string | null;
  /** Until when that claim holds even if its process looks alive (a frozen process). */
  claimed_until: string | null;
}

export interface ConflictsTable {
  id: string;
  intent_id: string;
  http_status: number;
  code: string;
  message: string;
  server: string | null;
  local: string | null;
  created_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

export interface BookingOverlayTable {
  booking_id: string;
  status: string;
  starts_at: string | null;
  notes: string;
  sync_state: string;
}

export interface DisputesTable {
  id: string;
  booking_id: string;
  opened_by_id: string;
  reason: string;
  status: string;
  opened_at: string;
}

export interface ActivityTable {
  id: string;
  at: string;
  event: string;
  summary: string;
  /** The summary as a CoreMessage (JSON); null for rows stored before 0006_activity_message. */
  message: string | null;
  booking_id: string | null;
  read: number;
}

export interface AvailabilityRulesTable {
  id: string;
  offering_id: string;
  day_of_week: number;
  start_time: string;
  end_time: string;
  slot_minutes: number;
  capacity: number;
  valid_from: string | null;
  valid_until: string | null;
}

export interface AvailabilityExceptionsTable {
  id: string;
  offering_id: string;
  kind: string;
  date: string;
  start_time: string | null;
  end_time: string | null;
  reason: string | null;
}

export interface ReplicaSchema {
  bookings: BookingsTable;
  booking_items: BookingItemsTable;
  payments: PaymentsTable;
  offerings: OfferingsTable;
  coupons: CouponsTable;
  outbox: OutboxTable;
  conflicts: ConflictsTable;
  booking_overlay: BookingOverlayTable;
  disputes: DisputesTable;
  activity: ActivityTable;
  availability_rules: AvailabilityRulesTable;
  availability_exceptions: AvailabilityExceptionsTable;
}
