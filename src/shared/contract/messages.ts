/**
 * Human text the core makes, as a stable code plus parameters: the UI translates it (en, es), the
 * CLI and the logs keep the English sentence the core also sends. Bundled into the renderer too, so
 * free of Node and Electron imports like contract.ts.
 *
 * `coreMessageParams` is the one list of codes: each code with the names of its parameters. A UI
 * dictionary must have a template for every code, using exactly these `{names}` (a unit test checks
 * both languages against this list, so a new code without translations fails).
 *
 * Parameter conventions the UI relies on to format them in the user's locale:
 * - `startsAt`, `endsAt`: ISO instants (shown as dates in the business's time zone);
 * - `weekday`: 0 = Sunday … 6 = Saturday (shown as the weekday's name);
 * - `status`: a booking status (`CONFIRMED` …), `by`: who cancelled (`customer`, `provider` …),
 *   `reason`: a cancel reason (`customer_request` or `other: free text`): translated when known;
 * - other numbers are formatted with the locale's digits; strings are shown as they are (values read
 *   from the user's file, names, ids, column names).
 */

export const coreMessageParams = {
  // ---- what a local intent asked for (booking history, Needs attention)
  'intent.booking.approve': ['bookingId'],
  'intent.booking.cancel': ['bookingId'],
  'intent.booking.cancelReason': ['bookingId', 'reason'],
  'intent.booking.reschedule': ['bookingId', 'itemId', 'startsAt', 'endsAt'],
  'intent.booking.notes': ['bookingId'],
  'intent.offering.create': ['title'],
  'intent.offering.patch': ['offeringId'],
  'intent.offering.delete': ['offeringId'],
  'intent.coupon.create': ['code'],
  'intent.coupon.patch': ['couponId'],
  'intent.coupon.delete': ['couponId'],
  'intent.other': ['kind', 'targetId'],

  // ---- the booking history's sync line
  'history.server': ['status'],
  'history.serverVersion': ['status', 'version'],

  // ---- activity (webhooks)
  'activity.bookingConfirmed': ['customer'],
  'activity.bookingConfirmedOffering': ['customer', 'offering'],
  'activity.bookingConfirmedUnknown': [],
  'activity.bookingRescheduled': ['customer'],
  'activity.bookingRescheduledOffering': ['customer', 'offering'],
  'activity.bookingRescheduledUnknown': [],
  'activity.bookingCancelled': ['by', 'customer'],
  'activity.bookingCancelledRefund': ['by', 'customer', 'refundPercent'],
  'activity.disputeOpened': ['reason'],
  'activity.disputeOpenedNoReason': [],
  'activity.reviewCreated': ['rating'],
  'activity.reviewCreatedNoRating': [],
  'activity.kybVerified': [],
  'activity.testPing': ['message'],
  // approval rules (#17): `conditions` is the checks as the rule's JSON names them ("maxRiskScore 12≤30 · …")
  'activity.ruleApproved': ['rule', 'conditions'],
  'activity.ruleFlagged': ['rule', 'conditions'],

  // ---- catalogue import: file and header
  'import.file.notUtf8': ['offset'],
  'import.file.readAsWindows1252': ['offset'],
  'import.file.empty': [],
  'import.file.noRows': [],
  'import.csv.quoteNotClosed': [],
  'import.csv.unreadable': ['detail'],
  'import.mapping.fuzzy': ['header', 'letter', 'field', 'confidence'],
  'import.mapping.ignoredUnknown': ['header', 'letter'],
  'import.mapping.ignoredByChoice': ['header', 'letter'],
  'import.mapping.ignoredDuplicate': ['header', 'letter', 'otherHeader', 'otherLetter', 'field'],
  'import.mapping.missing': ['field'],
  'import.mapping.missingRuleColumn': ['field', 'found'],
  // the mapping table's note on an ignored column
  'import.note.unknown': [],
  'import.note.byChoice': [],
  'import.note.duplicate': ['otherHeader', 'otherLetter', 'field'],

  // ---- catalogue import: rows
  'import.row.raggedExtra': ['cells', 'width', 'extra'],
  'import.row.raggedEmpty': ['cells', 'width'],
  'import.row.short': ['cells', 'width'],
  'import.row.onlySlug': [],
  'import.cell.formula': ['value'],
  'import.cell.control': ['char', 'position'],
  'import.cell.tooLarge': ['max'],
  'import.rule.dstGap': ['date', 'timezone', 'from', 'to'],
  'import.slug.required': [],
  'import.slug.requiredSuggest': ['suggestion'],
  'import.group.differs': ['value', 'before', 'line', 'slug'],
  'import.group.differsEmpty': ['value', 'line', 'slug'],
  'import.group.differsPrice': ['value', 'minor', 'line', 'slug'],
  'import.field.requiredForRule': ['field'],
  'import.field.requiredForNew': ['field', 'slug'],
  'import.rule.endBeforeStart': ['end', 'start'],
  'import.rule.untilBeforeFrom': ['until', 'from'],
  'import.rule.slotRemainder': ['slot', 'start', 'end', 'minutes', 'rest'],
  'import.rule.orphan': ['slug'],
  'import.rule.overlap': ['weekday', 'start', 'end', 'otherStart', 'otherEnd', 'otherLine', 'slug'],

  // ---- catalogue import: cell values (fields.ts)
  'import.value.tooLong': ['value', 'max'],
  'import.value.descriptionTooLong': [],
  'import.value.readAs': ['value', 'read'],
  'import.value.badSlug': ['value'],
  'import.value.badSlugSuggest': ['value', 'suggestion'],
  'import.value.notStatus': ['value', 'allowed'],
  'import.value.notProductType': ['value', 'allowed'],
  'import.value.notPricingModel': ['value', 'allowed'],
  'import.value.notCancellationPolicy': ['value', 'allowed'],
  'import.value.notCurrency': ['value'],
  'import.value.priceNegative': ['value'],
  'import.value.notPrice': ['value'],
  'import.value.priceDecimals': ['value', 'decimals', 'allowed'],
  'import.value.priceOverLimit': ['value'],
  'import.value.priceDecimalComma': ['value', 'read'],
  'import.value.priceDecimalPoint': ['value', 'read'],
  'import.value.priceThousandsComma': ['value', 'read'],
  'import.value.priceThousandsPoint': ['value', 'read'],
  'import.value.notWhole': ['value'],
  'import.value.outOfRange': ['field', 'min', 'max', 'got'],
  'import.value.taxOver100': ['value'],
  'import.value.taxPercent': ['value', 'bps'],
  'import.value.taxNotWholeBps': ['value'],
  'import.value.notWeekday': ['value'],
  'import.value.notTime': ['value'],
  'import.value.timeNeedsMinutes': ['value'],
  'import.value.not12Hour': ['value'],
  'import.value.notTimeOfDay': ['value'],
  'import.value.dateAmbiguous': ['value'],
  'import.value.notDate': ['value'],
  'import.value.notCalendarDate': ['value'],
} as const satisfies Record<string, readonly string[]>;

export type CoreMessageCode = keyof typeof coreMessageParams;
export const coreMessageCodes = Object.keys(coreMessageParams) as CoreMessageCode[];

export type CoreMessageParamValue = string | number;
type ParamsOf<C extends CoreMessageCode> = { [P in (typeof coreMessageParams)[C][number]]: CoreMessageParamValue };

/** A code with exactly its parameters. */
export type CoreMessage = { [C in CoreMessageCode]: { code: C; params: ParamsOf<C> } }[CoreMessageCode];

/** Builds a message; the parameters are type-checked against the code. */
export function coreMessage<C extends CoreMessageCode>(code: C, params: ParamsOf<C>): CoreMessage {
  return { code, params } as CoreMessage;
}

/** For values read back from storage: a message only when it has a known code and an object of parameters. */
export function asCoreMessage(value: unknown): CoreMessage | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { code?: unknown; params?: unknown };
  if (typeof v.code !== 'string' || !Object.hasOwn(coreMessageParams, v.code)) return null;
  if (!v.params || typeof v.params !== 'object') return null;
  return { code: v.code, params: v.params } as CoreMessage;
}
