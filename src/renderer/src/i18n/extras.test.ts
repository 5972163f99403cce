import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { extrasEn } from './extras.en.ts';
import { extrasEs } from './extras.es.ts';
import { translate } from './translate.ts';

describe('extras dictionaries (import wizard, calendar)', () => {
  it('have the same keys and placeholders in English and Spanish, and no key clashes with the main dictionary', () => {
    expect(Object.keys(extrasEs).sort()).toEqual(Object.keys(extrasEn).sort());
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(extrasEn) as Array<keyof typeof extrasEn>) expect([k, vars(extrasEs[k])]).toEqual([k, vars(extrasEn[k])]);
    for (const k of Object.keys(extrasEn)) expect(Object.hasOwn(en, k)).toBe(false);
  });
  it('are reachable through translate', () => {
    expect(translate('es', 'import.commit', { n: 3 })).toBe('Importar 3 ofertas');
    expect(translate('en', 'feeds.title')).toBe('Calendar');
    expect(translate('es', 'nav.catalogue')).toBe('Catálogo');
  });
});
