/**
 * What the replica's meta table keeps for the session: the user's settings (language, theme, undo
 * seconds), the tenant as `/me` last described it, and the key's scopes.
 */
import type { TenantInfo } from '../../../shared/contract/types.ts';
import type { Replica } from '../replica/replica.ts';
import { keyScopesMeta, keyScopesOf } from '../sync/pull.ts';

export const defaultSettings = { language: 'en' as const, theme: 'system' as const, undoSeconds: 5, relayUrl: null as string | null, retainPastDays: null as number | null };

export type SettingsRow = typeof defaultSettings;

export function settingsRow(replica: Replica): SettingsRow {
  try {
    return { ...defaultSettings, ...(JSON.parse(replica.getMeta('settings') ?? '{}') as Partial<SettingsRow>) };
  } catch {
    return { ...defaultSettings };
  }
}

/** Stores the settings with these fields changed (undefined: unchanged). */
export function writeSettings(replica: Replica, patch: Record<string, unknown>): void {
  const next = { ...settingsRow(replica), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  replica.transaction(() => replica.setMeta('settings', JSON.stringify(next)));
}

export function tenantInfo(replica: Replica): TenantInfo | null {
  const raw = replica.getMeta('tenant');
  if (!raw) return null;
  try {
    const t = JSON.parse(raw) as Record<string, unknown>;
    const kyb = t['kybStatus'];
    return {
      id: String(t['id'] ?? ''),
      name: String(t['name'] ?? ''),
      subdomain: String(t['subdomain'] ?? ''),
      displayCurrency: String(t['displayCurrency'] ?? 'USD'),
      timezone: typeof t['timezone'] === 'string' ? t['timezone'] : 'UTC',
      kybStatus: kyb === 'VERIFIED' || kyb === 'REJECTED' ? kyb : 'PENDING',
    };
  } catch {
    return null;
  }
}

/** The tenant's time zone (UTC until `/me` said). */
export function tenantTimeZone(replica: Replica): string {
  return tenantInfo(replica)?.timezone ?? 'UTC';
}

/** The key's scopes as `/me` last said; null when not known yet. */
export function keyScopes(replica: Replica): string[] | null {
  const raw = replica.getMeta(keyScopesMeta);
  if (!raw) return null;
  try {
    return keyScopesOf(JSON.parse(raw));
  } catch {
    return null;
  }
}
