/** Records as the Orkestr API sends them (docs/orkestr-api.md). Fields a real server may lack are optional. */

export interface RemoteBookingItem {
  id: string;
  offeringId?: string;
  startsAt: string;
  endsAt: string;
  quantity?: number;
  priceCents?: number;
}

export interface RemotePayment {
  id: string;
  amountCents?: number;
  currency?: string;
  status?: string;
  createdAt?: string;
}

export interface RemoteBooking {
  id: string;
  status: string;
  offeringId?: string;
  offeringTitle?: string;
  customer?: { id?: string; name?: string; email?: string; timezone?: string | null };
  items?: RemoteBookingItem[];
  payments?: RemotePayment[];
  subtotalCents?: number;
  discountCents?: number;
  taxCents?: number;
  totalCents?: number;
  currency?: string;
  couponCode?: string | null;
  riskScore?: number | null;
  riskReviewStatus?: string | null;
  notes?: string | null;
  refundPercent?: number | null;
  cancelReason?: string | null;
  cancelledBy?: string | null;
  createdAt?: string;
  updatedAt?: string;
  version?: number;
}

export interface RemoteOffering {
  id: string;
  slug?: string;
  title?: string;
  description?: string;
  status?: string;
  productTypeKey?: string;
  categories?: unknown[];
  attributes?: Record<string, unknown>;
  basePriceCents?: number;
  currency?: string;
  taxRateBps?: number;
  pricingModel?: string;
  cancellationPolicy?: string;
  ratingAverage?: number | null;
  reviewCount?: number;
  createdAt?: string;
  updatedAt?: string;
  deletedAt?: string | null;
  version?: number;
}

export interface RemoteCoupon {
  id: string;
  code?: string;
  kind?: string;
  amount?: number;
  currency?: string | null;
  validFrom?: string | null;
  validUntil?: string | null;
  maxRedemptions?: number | null;
  minSubtotalCents?: number;
  redeemedCount?: number;
  active?: boolean;
  createdAt?: string;
  updatedAt?: string;
  deletedAt?: string | null;
  version?: number;
}

export interface RemoteAvailabilityRule {
  id: string;
  offeringId: string;
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  slotMinutes?: number;
  capacity?: number;
  validFrom?: string | null;
  validUntil?: string | null;
}

export interface RemoteAvailabilityException {
  id: string;
  offeringId: string;
  kind: string;
  date: string;
  startTime?: string | null;
  endTime?: string | null;
  reason?: string | null;
}

export interface RemoteTenant {
  id: string;
  name: string;
  subdomain: string;
  displayCurrency: string;
  timezone?: string;
  kybStatus?: string;
  kybVerifiedAt?: string | null;
}
