import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { apiKeyPattern } from '../shared/contract/types.ts';
import type { DB } from './db.ts';
import type { Scope } from './types.ts';

/** The `<prefix>` of a well-formed key `ork_<prefix>.<secret>` (apiKeyPattern, the contract's): keys are looked up by it. */
function keyPrefix(token: string): string {
  return token.slice('ork_'.length, token.indexOf('.'));
}
export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

export interface KeyInfo {
  keyId: string;
  tenantId: string;
  scopes: Scope[];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A fresh key `ork_<8 lowercase alnum>.<32 chars>`, of the contract's apiKeyPattern. */
export function generateToken(): string {
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const prefix = [...randomBytes(8)].map((b) => alnum[b % 36]).join('');
  return `ork_${prefix}.${randomBytes(24).toString('base64url')}`;
}

/** keyId is derived from the hash so a key given on the command line keeps its id across restarts. */
export function keyIdFor(hash: string): string {
  return `key_${hash.slice(0, 16)}`;
}

/** Parses `ork_<prefix>.<secret>[:scope,scope][@subdomain]`. */
export function parseKeySpec(spec: string): { token: string; scopes: Scope[] | null; tenant: string | null } {
  let rest = spec;
  let tenant: string | null = null;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    tenant = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let scopes: Scope[] | null = null;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const list = rest.slice(colon + 1).split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of list) if (!(SCOPES as readonly string[]).includes(s)) throw new Error(`unknown scope "${s}" (use ${SCOPES.join(', ')})`);
    if (list.length === 0) throw new Error('empty scope list');
    scopes = list as Scope[];
    rest = rest.slice(0, colon);
  }
  if (!apiKeyPattern.test(rest)) throw new Error('a key must look like ork_<8 lowercase letters/digits>.<16–64 of A-Z a-z 0-9 _ ->');
  if (tenant !== null && !/^[a-z0-9-]+$/.test(tenant)) throw new Error(`bad tenant "${tenant}"`);
  return { token: rest, scopes, tenant };
}

export class Keys {
  private readonly db: DB;
  private readonly byPrefix;

  constructor(db: DB) {
    this.db = db;
    this.byPrefix = db.prepare('SELECT id, tenant_id, hash, scopes, revoked_at FROM api_keys WHERE prefix = ?');
  }

  /** Creates the key, or updates its tenant and scopes when the same token already exists (revocation stays). */
  upsert(token: string, tenantId: string, scopes: Scope[], now: string): string {
    if (!apiKeyPattern.test(token)) throw new Error('malformed key');
    const hash = hashToken(token);
    const id = keyIdFor(hash);
    this.db
      .prepare(
        'INSERT INTO api_keys (id, tenant_id, prefix, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO UPDATE SET tenant_id = excluded.tenant_id, scopes = excluded.scopes',
      )
      .run(id, tenantId, keyPrefix(token), hash, scopes.join(','), now);
    return id;
  }

  revoke(keyId: string, now: string): boolean {
    return this.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(now, keyId).changes > 0;
  }

  /** The key behind an Authorization header, or null (missing, malformed, unknown, revoked). */
  authenticate(header: string | undefined): KeyInfo | null {
    if (!header) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const token = m[1]!;
    if (!apiKeyPattern.test(token)) return null;
    const hash = Buffer.from(hashToken(token), 'hex');
    for (const row of this.byPrefix.all(keyPrefix(token)) as { id: string; tenant_id: string; hash: string; scopes: string; revoked_at: string | null }[]) {
      if (timingSafeEqual(Buffer.from(row.hash, 'hex'), hash)) {
        if (row.revoked_at !== null) return null;
        return { keyId: row.id, tenantId: row.tenant_id, scopes: row.scopes.split(',') as Scope[] };
      }
    }
    return null;
  }
}
