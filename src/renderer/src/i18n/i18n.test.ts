import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { es } from './es.ts';
import { localeOf, translate } from './translate.ts';

describe('dictionaries', () => {
  it('have the same keys and the same placeholders', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as Array<keyof typeof en>) expect([k, vars(es[k])]).toEqual([k, vars(en[k])]);
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
