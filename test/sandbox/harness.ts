/**
 * Shared harness for the black-box conformance suite of the Orkestr API v1 sandbox.
 *
 * Everything here talks to the sandbox over real HTTP on 127.0.0.1: the suite encodes
 * docs/orkestr-api.md and must not depend on how src/sandbox is built inside.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { request, startTestSandbox, type FixtureOptions, type HttpAnswer, type RequestOptions, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

/** JSON answers are inspected field by field; this suite treats them as loosely typed on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

// ---------------------------------------------------------------------------------------------
// Keys (format: ork_ + 8 lowercase alphanumerics + '.' + 16–64 chars [A-Za-z0-9_-])

export const KEYS = {
  atlasRw: 'ork_atlas001.atlas-rw-secret-0001',
  atlasRo: 'ork_atlas002.atlas-ro-secret-0002',
  atlasWo: 'ork_atlas003.atlas-wo-secret-0003',
  atlasAdmin: 'ork_atlas004.atlas-admin-secret-04',
  atlasRw2: 'ork_atlas005.atlas-rw-secret-0005',
  harborRw: 'ork_harbor01.harbor-rw-secret-0001',
  harborRo: 'ork_harbor02.harbor-ro-secret-0002',
} as const;

/** The `keys` option strings: token[:scopes][@subdomain]. */
export const KEY_SPECS = [
  KEYS.atlasRw,
  `${KEYS.atlasRo}:read`,
  `${KEYS.atlasWo}:write`,
  `${KEYS.atlasAdmin}:read,write,admin`,
  KEYS.atlasRw2,
  `${KEYS.harborRw}@harbor`,
  `${KEYS.harborRo}:read@harbor`,
];

export const ADMIN_TOKEN = 'conformance-admin-token-0123456789';

// ---------------------------------------------------------------------------------------------
// Starting a sandbox on a temp file: the suite's one sandbox fixture, with these keys and admin token

export type Harness = SandboxFixture;
export type ApiOptions = RequestOptions;
export type ApiResponse = HttpAnswer;
export { request };

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'orkestr-sbx-test-'));
}

export function startHarness(opts: FixtureOptions = {}): Promise<Harness> {
  return startTestSandbox({ keys: KEY_SPECS, adminToken: ADMIN_TOKEN, ...opts });
}

// ---------------------------------------------------------------------------------------------
// Assertions

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Asserts a non-2xx answer with the documented error body `{error:{code,message,details?}}`. */
export function expectError(res: ApiResponse, status: number, code?: string): Json {
  const ctx = `${status} ${code ?? ''} but got ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, ctx).toBe(status);
  expect(res.body, ctx).toBeTypeOf('object');
  expect(res.body, ctx).not.toBeNull();
  expect(res.body.error, ctx).toBeTypeOf('object');
  expect(res.body.error.code, ctx).toBeTypeOf('string');
  expect(res.body.error.message, ctx).toBeTypeOf('string');
  expect(res.body.error.message.length, ctx).toBeGreaterThan(0);
  if (res.body.error.details !== undefined) expect(res.body.error.details, ctx).toBeTypeOf('object');
  if (code) expect(res.body.error.code, ctx).toBe(code);
  return res.body.error;
}

export function expectOk(res: ApiResponse, status = 200): Json {
  expect(res.status, `expected ${status}, got ${res.status} ${res.text.slice(0, 400)}`).toBe(status);
  return res.body;
}

/** The fields named in a 422's details.fields. */
export function errorFields(res: ApiResponse): string[] {
  const fields = res.body?.error?.details?.fields;
  expect(Array.isArray(fields), `details.fields in ${res.text.slice(0, 300)}`).toBe(true);
  for (const f of fields as Json[]) {
    expect(f.field).toBeTypeOf('string');
    expect(f.message).toBeTypeOf('string');
  }
  return (fields as Json[]).map((f) => f.field as string);
}

function isIsoOrNull(v: unknown): boolean {
  return v === null || (typeof v === 'string' && ISO_MS.test(v));
}

export function expectRecordMeta(r: Json): void {
  expect(r.createdAt).toMatch(ISO_MS);
  expect(r.updatedAt).toMatch(ISO_MS);
  expect(Number.isInteger(r.version)).toBe(true);
  expect(r.version).toBeGreaterThanOrEqual(1);
}

export function expectOffering(o: Json): void {
  expect(o.id).toMatch(/^off_/);
  expect(o.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(o.title).toBeTypeOf('string');
  expect(o.description).toBeTypeOf('string');
  expect(['DRAFT', 'PUBLISHED', 'ARCHIVED']).toContain(o.status);
  expect(['space', 'class', 'service', 'vehicle', 'equipment', 'taxi']).toContain(o.productTypeKey);
  expect(Array.isArray(o.categories)).toBe(true);
  expect(o.attributes).toBeTypeOf('object');
  expect(o.attributes).not.toBeNull();
  expect(Number.isInteger(o.basePriceCents)).toBe(true);
  expect(o.currency).toMatch(/^[A-Z]{3}$/);
  expect(Number.isInteger(o.taxRateBps)).toBe(true);
  expect(['HOURLY', 'DAILY', 'ONE_TIME', 'SUBSCRIPTION']).toContain(o.pricingModel);
  expect(['FLEXIBLE', 'MODERATE', 'STRICT']).toContain(o.cancellationPolicy);
  expect(o.ratingAverage === null || typeof o.ratingAverage === 'number').toBe(true);
  expect(Number.isInteger(o.reviewCount)).toBe(true);
  expect(isIsoOrNull(o.deletedAt)).toBe(true);
  expectRecordMeta(o);
}

export function expectBooking(b: Json): void {
  expect(b.id).toMatch(/^bkg_/);
  expect(['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'REFUNDED']).toContain(b.status);
  expect(b.offeringId).toMatch(/^off_/);
  expect(b.offeringTitle).toBeTypeOf('string');
  expect(b.customer.id).toMatch(/^cus_/);
  expect(b.customer.name).toBeTypeOf('string');
  expect(b.customer.email).toBeTypeOf('string');
  expect(b.customer.timezone === null || typeof b.customer.timezone === 'string').toBe(true);
  expect(Array.isArray(b.items)).toBe(true);
  expect(b.items.length).toBeGreaterThanOrEqual(1);
  for (const it of b.items as Json[]) {
    expect(it.id).toMatch(/^bki_/);
    expect(it.offeringId).toMatch(/^off_/);
    expect(it.startsAt).toMatch(ISO_MS);
    expect(it.endsAt).toMatch(ISO_MS);
    expect(Number.isInteger(it.quantity)).toBe(true);
    expect(Number.isInteger(it.priceCents)).toBe(true);
  }
  expect(Array.isArray(b.payments)).toBe(true);
  for (const p of b.payments as Json[]) {
    expect(p.id).toMatch(/^pay_/);
    expect(Number.isInteger(p.amountCents)).toBe(true);
    expect(p.currency).toMatch(/^[A-Z]{3}$/);
    expect(['AUTHORIZED', 'CAPTURED', 'REFUNDED', 'PARTIALLY_REFUNDED']).toContain(p.status);
    expect(p.createdAt).toMatch(ISO_MS);
  }
  for (const k of ['subtotalCents', 'discountCents', 'taxCents', 'totalCents']) {
    expect(Number.isInteger(b[k]), k).toBe(true);
  }
  expect(b.currency).toMatch(/^[A-Z]{3}$/);
  expect(b.couponCode === null || typeof b.couponCode === 'string').toBe(true);
  expect(b.riskScore === null || typeof b.riskScore === 'number').toBe(true);
  expect(['NONE', 'HELD', 'CLEARED']).toContain(b.riskReviewStatus);
  expect(b.notes).toBeTypeOf('string');
  expect(b.refundPercent === null || Number.isInteger(b.refundPercent)).toBe(true);
  expect(b.cancelReason === null || typeof b.cancelReason === 'string').toBe(true);
  expect(b.cancelledBy === null || b.cancelledBy === 'provider' || b.cancelledBy === 'customer').toBe(true);
  expectRecordMeta(b);
}

export function expectCoupon(c: Json): void {
  expect(c.id).toMatch(/^cpn_/);
  expect(c.code).toMatch(/^[A-Z0-9_-]{3,40}$/);
  expect(['PERCENT', 'FIXED']).toContain(c.kind);
  expect(Number.isInteger(c.amount)).toBe(true);
  expect(c.currency === null || /^[A-Z]{3}$/.test(c.currency)).toBe(true);
  expect(isIsoOrNull(c.validFrom)).toBe(true);
  expect(isIsoOrNull(c.validUntil)).toBe(true);
  expect(c.maxRedemptions === null || Number.isInteger(c.maxRedemptions)).toBe(true);
  expect(Number.isInteger(c.minSubtotalCents)).toBe(true);
  expect(Number.isInteger(c.redeemedCount)).toBe(true);
  expect(c.active).toBeTypeOf('boolean');
  expect(isIsoOrNull(c.deletedAt)).toBe(true);
  expectRecordMeta(c);
}

export function expectListShape(body: Json): void {
  expect(Array.isArray(body.data), 'data is an array').toBe(true);
  expect('nextCursor' in body, 'nextCursor is always present').toBe(true);
  expect(body.nextCursor === null || typeof body.nextCursor === 'string').toBe(true);
  expect(body.hasMore).toBeTypeOf('boolean');
}

/** Walks every page of a list endpoint with the change cursor. */
export async function listAll(
  h: Harness,
  path: string,
  opts: { key?: string; limit?: number; maxPages?: number; cursor?: string } = {},
): Promise<{ items: Json[]; pages: number; lastCursor: string | null }> {
  const items: Json[] = [];
  let cursor: string | null = opts.cursor ?? null;
  let pages = 0;
  const sep = path.includes('?') ? '&' : '?';
  for (;;) {
    pages++;
    if (pages > (opts.maxPages ?? 200)) throw new Error('too many pages');
    const q = `${sep}limit=${opts.limit ?? 500}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await h.api('GET', path + q, { key: opts.key });
    const body = expectOk(res);
    expectListShape(body);
    items.push(...(body.data as Json[]));
    if (body.data.length > 0) cursor = body.nextCursor;
    if (!body.hasMore) break;
  }
  return { items, pages, lastCursor: cursor };
}

// ---------------------------------------------------------------------------------------------
// Webhook receiver

export interface ReceivedHook {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  body: Json;
  path: string;
  answeredStatus: number;
  at: number;
}

export interface Receiver {
  url: string;
  received: ReceivedHook[];
  /** Decides the status answered for each request; default 200. */
  respond: (hook: Omit<ReceivedHook, 'answeredStatus'>, attemptForDelivery: number) => number;
  events: (event: string) => ReceivedHook[];
  close: () => Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const attempts = new Map<string, number>();
  const received: ReceivedHook[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    respond: () => 200,
    events: (event) => received.filter((r) => r.body?.event === event),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: Json = null;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = null;
      }
      const id = String(req.headers['x-orkestr-delivery-id'] ?? '');
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const partial = { raw, headers: req.headers, body, path: req.url ?? '/', at: Date.now() };
      let status = 200;
      try {
        status = receiver.respond(partial, n);
      } catch {
        status = 500;
      }
      received.push({ ...partial, answeredStatus: status });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'nope');
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

export function hmacHex(secret: string, raw: Buffer): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Sandbox control helpers

/** POST /_sandbox/simulate/booking; returns the new booking record. */
export async function simulateBooking(
  h: Harness,
  args: { tenant?: string; offeringId?: string; startsAt?: string; status?: string } = {},
): Promise<Json> {
  const res = await h.admin('POST', '/_sandbox/simulate/booking', args);
  expect(res.status, `simulate/booking ${res.status} ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `simulate/booking ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(300);
  const b = res.body?.booking ?? res.body;
  expect(b.id, `simulate/booking answer ${res.text.slice(0, 300)}`).toMatch(/^bkg_/);
  return b;
}

export async function setClock(h: Harness, now: string): Promise<void> {
  const res = await h.admin('POST', '/_sandbox/clock', { now });
  expect(res.status, `clock ${res.text}`).toBeLessThan(300);
}

export async function getDeliveries(h: Harness): Promise<Json[]> {
  const res = await h.admin('GET', '/_sandbox/deliveries');
  expect(res.status, res.text).toBe(200);
  const list = Array.isArray(res.body) ? res.body : res.body?.deliveries;
  expect(Array.isArray(list), `deliveries list in ${res.text.slice(0, 300)}`).toBe(true);
  return list as Json[];
}

export async function getEffects(h: Harness): Promise<Json[]> {
  const res = await h.admin('GET', '/_sandbox/effects');
  expect(res.status, res.text).toBe(200);
  expect(Array.isArray(res.body?.effects), res.text.slice(0, 300)).toBe(true);
  return res.body.effects as Json[];
}

/**
 * Fires webhook.test and waits until the receiver has it. Used as a fence before asserting that
 * some other webhook was NOT sent (deliveries are enqueued when the request is answered).
 */
export async function webhookFence(h: Harness, r: Receiver, alsoReceivers: Receiver[] = []): Promise<void> {
  const before = r.events('webhook.test').length;
  const res = await h.admin('POST', '/_sandbox/webhook/test');
  expect(res.status, res.text).toBeLessThan(300);
  await waitFor(() => r.events('webhook.test').length > before, 'webhook.test fence', 5000);
  // Let anything enqueued before the fence drain too: every listed delivery must have reached us.
  await waitFor(
    async () => {
      const ds = await getDeliveries(h);
      const ids = new Set([r, ...alsoReceivers].flatMap((x) => x.received).map((x) => String(x.headers['x-orkestr-delivery-id'])));
      return ds.every((d) => ids.has(String(d.id)));
    },
    'all deliveries received',
    5000,
  );
}

/** Creates an offering through the API (atlas rw key by default). */
export async function createOffering(h: Harness, fields: Record<string, unknown> = {}, key?: string): Promise<Json> {
  const n = Math.random().toString(36).slice(2, 8);
  const res = await h.api('POST', '/v1/api/offerings', {
    key,
    body: { title: `Test Offering ${n}`, productTypeKey: 'space', basePriceCents: 10000, currency: 'USD', ...fields },
  });
  return expectOk(res, 201);
}

// ---------------------------------------------------------------------------------------------
// Time zones (independent of the sandbox): local wall-clock → UTC instant

function tzOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** `date` YYYY-MM-DD + `time` HH:MM in `timeZone` → epoch ms. */
export function zonedToUtc(date: string, time: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let t = guess - tzOffsetMs(guess, timeZone);
  t = guess - tzOffsetMs(t, timeZone);
  return t;
}

/** Local calendar date (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDate(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(instant),
  );
}

export function addDays(date: string, n: number): string {
  const t = Date.parse(`${date}T00:00:00.000Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function weekday(date: string): number {
  return new Date(`${date}T00:00:00.000Z`).getUTCDay();
}

export function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const HOUR = 3_600_000;
