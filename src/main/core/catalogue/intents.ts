/**
 * Offering and coupon intents: create (under a temporary id until the server answers), patch and
 * delete (on a server record, or on one that exists only as a local intent so far).
 */
import { randomUUID } from 'node:crypto';
import { ContractError, type IntentKind } from '../../../shared/contract/types.ts';
import type { CoreContext } from '../context.ts';
import { enqueueIntent, recordVersion } from '../sync/intents.ts';
import { isTempId, recordPath } from '../sync/outbox.ts';

export type CatalogueKind = 'offering' | 'coupon';

/** Coupon codes are kept upper-case, as the server keeps them. */
function withCodeUpper(kind: CatalogueKind, fields: Record<string, unknown>): Record<string, unknown> {
  return kind === 'coupon' && typeof fields['code'] === 'string' ? { ...fields, code: fields['code'].toUpperCase() } : fields;
}

export function createRecord(ctx: CoreContext, kind: CatalogueKind, fields: Record<string, unknown>): { intentId: string; id: string } {
  const tempId = `tmp_${kind === 'offering' ? 'off' : 'cpn'}_${randomUUID()}`;
  const body = withCodeUpper(kind, fields);
  const row = enqueueIntent(ctx, `${kind}.create`, tempId, { fields: body }, { method: 'POST', path: kind === 'offering' ? '/api/offerings' : '/api/coupons', body: JSON.stringify(body) }, null);
  return { intentId: row.id, id: tempId };
}

/** A patch (fields) or a delete (null). */
export function patchRecord(ctx: CoreContext, kind: CatalogueKind, id: string, fields: Record<string, unknown> | null): string {
  const { replica } = ctx;
  const target = ctx.outbox.resolveId(id);
  const table = kind === 'offering' ? 'offerings' : 'coupons';
  const known = replica.db.first(replica.db.kysely.selectFrom(table).select('id').where('id', '=', target)) || (isTempId(target) && replica.hasActiveIntents(target));
  if (!known) throw new ContractError('NOT_FOUND', `No ${kind} ${id}.`);
  const k: IntentKind = fields ? `${kind}.patch` : `${kind}.delete`;
  const body = fields ? withCodeUpper(kind, fields) : null;
  return enqueueIntent(ctx, k, target, fields ? { fields: body } : {}, { method: fields ? 'PATCH' : 'DELETE', path: recordPath(k, target), body: body ? JSON.stringify(body) : null }, recordVersion(replica, table, target)).id;
}
