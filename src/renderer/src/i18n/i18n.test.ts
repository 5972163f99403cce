import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { es } from './es.ts';
import { localeOf, translate } from './translate.ts';
import type { EngineCrash, SyncReasonCode } from '../../../shared/contract/types.ts';

describe('dictionaries', () => {
  it('have the same keys and the same placeholders', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as Array<keyof typeof en>) expect([k, vars(es[k])]).toEqual([k, vars(en[k])]);
  });
});

describe('codes the core sends instead of sentences', () => {
  // Typed as complete records: a code added to the contract without an entry here fails typecheck.
  const syncReasons: Record<SyncReasonCode, true> = { notConnected: true, keyRejected: true, keyScope: true, unreachable: true, serverError: true };
  const crashKinds: Record<EngineCrash['kind'], true> = { exit: true, signal: true, unresponsive: true, user: true };
  it('every sync reason and engine crash kind reads differently in English and Spanish', () => {
    const keys = [...Object.keys(syncReasons).map((c) => `sync.reason.${c}`), ...Object.keys(crashKinds).map((k) => `engine.crash.${k}`)];
    for (const key of keys) {
      expect(key in en, `${key} in en`).toBe(true);
      expect(es[key as keyof typeof es], key).not.toBe(en[key as keyof typeof en]);
    }
  });
});

describe('translate and locale', () => {
  it('interpolates and keeps unknown placeholders', () => {
    expect(translate('es', 'queue.approveSelected', { n: 3 })).toBe('Aprobar 3');
    expect(translate('en', 'queue.approveSelected')).toBe('Approve {n}');
  });
  it('uses the regional variant the user prefers', () => {
    expect(localeOf('en', ['es-MX', 'en-US'])).toBe('en-US');
    expect(localeOf('es', ['es-MX', 'en-US'])).toBe('es-MX');
    expect(localeOf('es', ['en-US'])).toBe('es-ES');
  });
});
