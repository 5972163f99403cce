export type Scope = 'read' | 'write' | 'admin';

export interface Tenant {
  id: string;
  subdomain: string;
  name: string;
  currency: string;
  timezone: string;
  kyb_status: string;
  kyb_verified_at: string | null;
}

export interface Offering {
  id: string;
  slug: string;
  title: string;
  description: string;
  status: 'DRAFT' | 'PUBLISHED' | 'ARCHIVED';
  productTypeKey: string;
  categories: string[];
  attributes: Record<string, unknown>;
  basePriceCents: number;
  currency: string;
  taxRateBps: number;
  pricingModel: 'HOURLY' | 'DAILY' | 'ONE_TIME' | 'SUBSCRIPTION';
  cancellationPolicy: 'FLEXIBLE' | 'MODERATE' | 'STRICT';
  ratingAverage: number | null;
  reviewCount: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  version: number;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  timezone: string;
}

export interface BookingItem {
  id: string;
  offeringId: string;
  startsAt: string;
  endsAt: string;
  quantity: number;
  priceCents: number;
}

export interface Payment {
  id: string;
  amountCents: number;
  currency: string;
  status: 'AUTHORIZED' | 'CAPTURED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';
  createdAt: string;
}

export type BookingStatus = 'PENDING' | 'CONFIRMED' | 'COMPLETED' | 'CANCELLED' | 'REFUNDED';

export interface Booking {
  id: string;
  status: BookingStatus;
  offeringId: string;
  offeringTitle: string;
  customer: Customer;
  items: BookingItem[];
  payments: Payment[];
  subtotalCents: number;
  discountCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
  couponCode: string | null;
  riskScore: number;
  riskReviewStatus: 'NONE' | 'HELD' | 'CLEARED';
  notes: string;
  refundPercent: number | null;
  cancelReason: string | null;
  cancelledBy: 'provider' | 'customer' | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Coupon {
  id: string;
  code: string;
  kind: 'PERCENT' | 'FIXED';
  amount: number;
  currency: string | null;
  validFrom: string | null;
  validUntil: string | null;
  maxRedemptions: number | null;
  minSubtotalCents: number;
  redeemedCount: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  version: number;
}

export interface AvailabilityRule {
  id: string;
  offeringId: string;
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  capacity: number;
  validFrom: string | null;
  validUntil: string | null;
}

export interface AvailabilityException {
  id: string;
  offeringId: string;
  kind: 'BLOCK' | 'OPEN';
  date: string;
  startTime: string | null;
  endTime: string | null;
  reason: string | null;
}

export type WebhookEvent =
  | 'booking.confirmed'
  | 'booking.cancelled'
  | 'booking.rescheduled'
  | 'dispute.opened'
  | 'review.created'
  | 'tenant.kyb_verified'
  | 'webhook.test';
