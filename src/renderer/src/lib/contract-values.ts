/**
 * The few runtime values of `src/shared/contract.ts` the renderer needs, mirrored here so the
 * renderer imports only *types* from the contract and the bundle stays free of zod (the contract's
 * input schemas are for the core's side). `contract-values.test.ts` checks these equal the shared
 * ones and that no renderer file imports values from the contract.
 */
import type { ImportFieldName, ContractErrorShape, EventName } from '../../../shared/contract.ts';

export const cancelReasons = ['customer_request', 'no_availability', 'suspected_fraud', 'duplicate', 'other'] as const;

export const eventNames: readonly EventName[] = ['sync.status', 'data.changed', 'activity.new', 'queue.new', 'session.changed', 'import.progress', 'engine.status'];

/** The CSV import's field names, in the template's column order. */
export const importFieldNames = [
  'slug',
  'title',
  'product_type',
  'status',
  'pricing_model',
  'base_price',
  'currency',
  'tax_bps',
  'description',
  'cancellation_policy',
  'categories',
  'weekday',
  'start_time',
  'end_time',
  'slot_minutes',
  'capacity',
  'valid_from',
  'valid_until',
] as const satisfies readonly ImportFieldName[];

export const errorCodes: readonly ContractErrorShape['code'][] = ['BAD_INPUT', 'NOT_FOUND', 'CONFLICT', 'UNAVAILABLE', 'INTERNAL', 'UNKNOWN_METHOD', 'NEEDS_CONFIRMATION'];

/** Error crossing the contract: a stable code the UI can translate, plus a message for logs. */
export class ContractError extends Error {
  readonly code: ContractErrorShape['code'];
  readonly fields: ContractErrorShape['fields'];
  constructor(code: ContractErrorShape['code'], message: string, fields?: ContractErrorShape['fields']) {
    super(message);
    this.name = 'ContractError';
    this.code = code;
    this.fields = fields;
  }
  toJSON(): ContractErrorShape {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}
