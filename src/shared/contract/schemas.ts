/**
 * The contract's input schemas: the core's side of ./types.ts. Every transport (Electron IPC through
 * the engine's supervisor, the loopback bridge, the CLI) validates a call here before a handler runs.
 * The renderer never imports this file (lint-enforced), so its bundle carries no zod.
 */
import { z } from 'zod';
import {
  ContractError,
  apiKeyPattern,
  bookingStatuses,
  importFieldNames,
  importUploadMaxBase64,
  ruleActions,
  ruleFormatVersion,
  type MethodInputs,
  type MethodName,
  type MethodResults,
} from './types.ts';

// ---------------------------------------------------------------------------------------------
// Input schemas.

const id = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });
const empty = z.object({}).strict();


const offeringFields = z
  .object({
    title: z.string().min(1).max(200),
    slug: z.string().max(80),
    description: z.string().max(20000),
    status: z.enum(['DRAFT', 'PUBLISHED', 'ARCHIVED']),
    productTypeKey: z.string().min(1).max(40),
    basePriceCents: z.number().int().min(0),
    currency: z.string().regex(/^[A-Z]{3}$/),
    taxRateBps: z.number().int().min(0).max(10000),
    pricingModel: z.enum(['HOURLY', 'DAILY', 'ONE_TIME', 'SUBSCRIPTION']),
    cancellationPolicy: z.enum(['FLEXIBLE', 'MODERATE', 'STRICT']),
  })
  .partial()
  .strict();

const couponFields = z
  .object({
    code: z.string().min(3).max(40),
    kind: z.enum(['PERCENT', 'FIXED']),
    amount: z.number().int().min(1),
    currency: z.string().regex(/^[A-Z]{3}$/).nullable(),
    validFrom: isoTime.nullable(),
    validUntil: isoTime.nullable(),
    maxRedemptions: z.number().int().min(1).nullable(),
    minSubtotalCents: z.number().int().min(0),
    active: z.boolean(),
  })
  .partial()
  .strict();

/** What a user may correct in a refused import row: the offering fields, with a strict slug. */
const importFixFields = offeringFields.extend({ slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(80).optional() });

const feedFilters = z
  .object({
    offeringIds: z.array(id).max(10000),
    statuses: z.array(z.enum(bookingStatuses)).nullable(),
    includePending: z.boolean(),
    pastDays: z.number().int().min(0).max(36600),
    futureDays: z.number().int().min(0).max(36600).nullable(),
  })
  .partial()
  .strict();

// ---- approval rules (#17): the rule format scripts rely on (docs/rules.md) ---------------------
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM" (00:00–23:59)');
const ruleConditions = z
  .object({
    maxRiskScore: z.number().int().min(0).max(100),
    notHeld: z.boolean(),
    noOverlap: z.boolean(),
    minLeadHours: z.number().min(0).max(24 * 366),
    maxLeadHours: z.number().min(0).max(24 * 366),
    maxTotalCents: z.number().int().min(0),
    minCompletedBookings: z.number().int().min(1).max(10_000),
    allowList: z.array(z.string().trim().min(1).max(320)).min(1).max(10_000),
    weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    startTimeFrom: clockTime,
    startTimeTo: clockTime,
  })
  .partial()
  .strict()
  .superRefine((c, ctx) => {
    const named = Object.values(c).some((v) => v !== undefined && v !== false);
    if (!named) ctx.addIssue({ code: 'custom', message: 'name at least one condition (a rule without one would act on every booking)' });
    if (c.minLeadHours !== undefined && c.maxLeadHours !== undefined && c.minLeadHours > c.maxLeadHours) {
      ctx.addIssue({ code: 'custom', path: ['maxLeadHours'], message: 'must be at least minLeadHours' });
    }
    if (c.startTimeFrom !== undefined && c.startTimeTo !== undefined && c.startTimeFrom >= c.startTimeTo) {
      ctx.addIssue({ code: 'custom', path: ['startTimeTo'], message: 'must be after startTimeFrom' });
    }
  });

/** One rule as JSON (`rules add --file`, the Rules screen, an exported document's entries). */
export const ruleInput = z
  .object({
    version: z.literal(ruleFormatVersion).optional(),
    name: z.string().trim().min(1).max(120),
    offeringIds: z.array(id).max(10_000).optional(),
    conditions: ruleConditions,
    action: z.enum(ruleActions),
    dailyCap: z.number().int().min(1).max(100_000).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const rulesDocument = z
  .object({
    format: z.literal('orkestr-console.rules'),
    version: z.literal(ruleFormatVersion),
    rules: z.array(ruleInput).max(500),
  })
  .strict();

/** Every method of the contract, with the schema of its input. */
export const methods = {
  // queries
  'session.info': empty,
  'sync.status': empty,
  'queue.window': z
    .object({
      sort: z.enum(['waiting', 'starting']).default('waiting'),
      offeringIds: z.array(id).max(10000).optional(),
      risk: z.enum(['all', 'held', 'clear']).default('all'),
      /** Only the bookings a flag rule labelled "needs a look". */
      flagged: z.boolean().optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
      cursor: z.string().max(500).optional(),
      limit: z.number().int().min(1).max(1000).default(100),
    })
    .strict(),
  'bookings.slots': z.object({ ids: z.array(id).max(1000) }).strict(),
  'bookings.search': z.object({ text: z.string().max(200), limit: z.number().int().min(1).max(200).default(20) }).strict(),
  'bookings.cancelPreview': z.object({ id }).strict(),
  'bookings.list': z
    .object({
      status: z.enum(bookingStatuses).optional(),
      offeringId: id.optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
      search: z.string().max(200).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      // front-desk-core: keyset paging (the nextCursor of the page before).
      cursor: z.string().max(500).optional(),
    })
    .strict(),
  'bookings.get': z.object({ id }).strict(),
  'offerings.list': z.object({ includeDeleted: z.boolean().optional() }).strict(),
  'offerings.options': empty,
  'offerings.page': z.object({ search: z.string().max(200).optional(), ids: z.array(id).max(500).optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50) }).strict(),
  'coupons.list': z.object({ includeDeleted: z.boolean().optional() }).strict(),
  'availability.get': z.object({ offeringId: id }).strict(),
  'disputes.list': empty,
  'activity.list': z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  'intents.list': empty,
  'conflicts.list': empty,
  'insights.get': empty,
  // actions-cli (#14)
  'reviews.list': z.object({ offeringId: id.optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  'settings.get': empty,
  // commands
  'bookings.approve': z.object({ id }).strict(),
  'bookings.cancel': z.object({ id, reason: z.string().max(500) }).strict(),
  'bookings.reschedule': z.object({ id, itemId: id, startsAt: isoTime, endsAt: isoTime }).strict(),
  'bookings.setNotes': z.object({ id, notes: z.string().max(5000) }).strict(),
  'offerings.create': z.object({ fields: offeringFields.required({ title: true, productTypeKey: true, basePriceCents: true, currency: true }) }).strict(),
  'offerings.patch': z.object({ id, fields: offeringFields }).strict(),
  'offerings.delete': z.object({ id }).strict(),
  'coupons.create': z.object({ fields: couponFields.required({ code: true, kind: true, amount: true }) }).strict(),
  'coupons.patch': z.object({ id, fields: couponFields }).strict(),
  'coupons.delete': z.object({ id }).strict(),
  'intents.undo': z.object({ id }).strict(),
  'conflicts.resolve': z.object({ id, choice: z.enum(['retry', 'discard', 'takeServer']) }).strict(),
  'activity.markRead': z.object({ ids: z.array(id).max(10000) }).strict(),
  'sync.now': empty,
  'settings.set': z
    .object({
      language: z.enum(['en', 'es']).optional(),
      theme: z.enum(['system', 'light', 'dark']).optional(),
      undoSeconds: z.number().int().min(0).max(60).optional(),
      retainPastDays: z.number().int().min(1).max(36_500).nullable().optional(),
    })
    .strict(),
  'settings.connect': z
    .object({
      apiUrl: z.url(),
      apiKey: z.string().regex(apiKeyPattern),
      /**
       * How to keep the key. Absent: encrypted, and NEEDS_CONFIRMATION when this machine cannot
       * encrypt; `plain` or `session` is the user's answer to that question.
       */
      keep: z.enum(['encrypted', 'plain', 'session']).optional(),
    })
    .strict(),
  'settings.useDemo': empty,
  /** Receive webhooks through a relay channel; the token and secrets are kept like the API key (same `keep` rule). */
  'settings.connectRelay': z
    .object({
      channelUrl: z.url({ protocol: /^https?$/ }).regex(/\/v1\/channels\/ch_[A-Za-z0-9_-]+\/?$/, 'expected the channel URL the relay printed (…/v1/channels/ch_…)'),
      deviceToken: z.string().trim().min(8).max(512),
      webhookSecret: z.string().trim().min(8).max(512),
      previousWebhookSecret: z.string().trim().min(8).max(512).optional(),
      keep: z.enum(['encrypted', 'plain', 'session']).optional(),
    })
    .strict(),
  'settings.disconnectRelay': empty,
  // catalogue import (CSV)
  'import.template': z.object({ language: z.enum(['en', 'es']).optional() }).strict(),
  'import.check': z
    .object({
      fileName: z.string().min(1).max(500),
      /** The file's bytes, base64 (the bridge's body limit is sized to this: bridge.ts `bridgeMaxBodyBytes`). */
      contentBase64: z.string().max(importUploadMaxBase64),
      delimiter: z.enum([',', ';', '\t']).optional(),
      encoding: z.enum(['auto', 'utf-8', 'windows-1252', 'utf-16le', 'utf-16be']).optional(),
      /** Header text → field, or null to ignore the column. */
      mapping: z.record(z.string().max(500), z.enum(importFieldNames).nullable()).optional(),
      /** Echoed in `import.progress` events so the UI can tell its own check apart. */
      requestId: z.string().max(100).optional(),
    })
    .strict(),
  'import.commit': z.object({ token: id, allowUnpublish: z.boolean().optional() }).strict(),
  'import.errorReport': z.object({ token: id }).strict(),
  'import.batches': empty,
  'import.status': z.object({ batchId: id }).strict(),
  'import.resume': z.object({ batchId: id, fixes: z.record(z.string().max(200), importFixFields).default({}) }).strict(),
  'import.rollback': z.object({ batchId: id }).strict(),
  'import.verifyAvailability': z.object({ batchId: id }).strict(),
  // calendar
  'feeds.list': z.object({ includeRevoked: z.boolean().optional() }).strict(),
  'feeds.add': z
    .object({
      name: z.string().trim().min(1).max(200),
      filters: feedFilters.default({}),
      publish: z.boolean().optional(),
    })
    .strict(),
  'feeds.rotate': z.object({ id }).strict(),
  'feeds.revoke': z.object({ id }).strict(),
  'feeds.publish': z
    .object({
      relayUrl: z.url({ protocol: /^https?$/ }),
      channelId: id,
      deviceToken: z.string().min(1).max(512),
    })
    .strict(),
  // the engine's supervisor (answered by the shell when the core runs in its own process)
  'engine.status': empty,
  'engine.restart': empty,
  'calendar.export': z
    .object({
      from: isoTime.optional(),
      to: isoTime.optional(),
      offeringIds: z.array(id).max(10000).optional(),
      includePending: z.boolean().optional(),
      statuses: z.array(z.enum(bookingStatuses)).min(1).max(bookingStatuses.length).optional(),
      calendarName: z.string().trim().min(1).max(200).optional(),
      toFile: z.boolean().optional(),
    })
    .strict(),
  // approval rules (#17)
  'rules.list': empty,
  'rules.add': z.object({ rule: ruleInput }).strict(),
  'rules.update': z.object({ id, rule: ruleInput }).strict(),
  'rules.remove': z.object({ id }).strict(),
  'rules.setEnabled': z.object({ id, enabled: z.boolean() }).strict(),
  'rules.setPaused': z.object({ paused: z.boolean() }).strict(),
  'rules.preview': z.object({ rule: ruleInput, days: z.number().int().min(1).max(3660).optional() }).strict(),
  'rules.export': empty,
  'rules.import': z.object({ document: rulesDocument, replace: z.boolean().optional() }).strict(),
  'rules.summary': z.object({ days: z.number().int().min(1).max(3660).optional() }).strict(),
} as const satisfies Record<MethodName, z.ZodType>;

export type MethodParsedInput<M extends MethodName> = z.output<(typeof methods)[M]>;

/** What the core implements: one function per method, given validated input. */
export type ContractHandlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => MethodResults[M] | Promise<MethodResults[M]>;
};

/** True when A and B accept the same values (each assignable to the other). */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * Fails to compile when a schema and the hand-written input type in ./types.ts drift apart: the
 * renderer types its calls with the latter, the core validates with the former.
 */
const inputsMatchSchemas: { [M in MethodName]: SameShape<z.input<(typeof methods)[M]>, MethodInputs[M]> } = {
  ...(Object.fromEntries(Object.keys(methods).map((m) => [m, true])) as { [M in MethodName]: true }),
};
void inputsMatchSchemas;

export function parseCall<M extends MethodName>(method: string, input: unknown): { method: M; input: MethodParsedInput<M> } {
  if (!Object.hasOwn(methods, method)) throw new ContractError('UNKNOWN_METHOD', `Unknown method "${method}"`);
  const schema = methods[method as M];
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const fields = result.error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
    throw new ContractError('BAD_INPUT', `Invalid input for ${method}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields);
  }
  return { method: method as M, input: result.data as MethodParsedInput<M> };
}

/** What a UI holds: the same shape behind Electron IPC and behind the loopback bridge. */
