import { describe, expect, it } from 'vitest';
import { calendarEn } from './calendar.en.ts';
import { calendarEs } from './calendar.es.ts';
import { appEn, en } from './en.ts';
import { appEs, es } from './es.ts';
import { frontdeskEn } from './frontdesk.en.ts';
import { frontdeskEs } from './frontdesk.es.ts';
import { importEn } from './import.en.ts';
import { importEs } from './import.es.ts';
import { messagesEn } from './messages.en.ts';
import { reviewsEn } from './reviews.en.ts';
import { reviewsEs } from './reviews.es.ts';
import { rulesEn } from './rules.en.ts';
import { rulesEs } from './rules.es.ts';
import { settingsEn } from './settings.en.ts';
import { settingsEs } from './settings.es.ts';
import { localeOf, translate } from './translate.ts';
import type { PluralForms } from './types.ts';
import type { EngineCrash, SyncReasonCode } from '../../../shared/contract/types.ts';

type Entries = Readonly<Record<string, string | PluralForms>>;
/** Each part of the dictionaries, in both languages (translate.ts merges them). */
const parts: Array<[string, Entries, Entries]> = [
  ['en.ts / es.ts', appEn, appEs],
  ['settings.*.ts', settingsEn, settingsEs],
  ['import.*.ts', importEn, importEs],
  ['calendar.*.ts', calendarEn, calendarEs],
  ['frontdesk.*.ts', frontdeskEn, frontdeskEs],
  ['reviews.*.ts', reviewsEn, reviewsEs],
  ['rules.*.ts', rulesEn, rulesEs],
];
const vars = (s: string) => [...new Set(s.match(/\{\w+\}/g) ?? [])].sort();

describe('dictionaries', () => {
  it.each(parts)('%s: the same keys in English and Spanish, text where the other has text, plural forms where it has them', (_, a, b) => {
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect([k, typeof b[k]]).toEqual([k, typeof a[k]]);
  });

  it.each(parts)('%s: the same placeholders in both languages; a plural form uses only those of its "other" form', (_, a, b) => {
    for (const [k, ea] of Object.entries(a)) {
      const eb = b[k]!;
      if (typeof ea === 'string' || typeof eb === 'string') {
        expect([k, vars(String(eb))]).toEqual([k, vars(String(ea))]);
        continue;
      }
      expect([k, vars(eb.other)]).toEqual([k, vars(ea.other)]);
      for (const form of [...Object.values(ea), ...Object.values(eb)]) expect(vars(form).filter((v) => !vars(ea.other).includes(v)), `${k}: ${form}`).toEqual([]);
    }
  });

  it.each(parts)('%s: every plural entry has exactly the categories Intl.PluralRules gives its language', (_, a, b) => {
    const categories = (lang: string) => [...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort();
    // What CLDR says today (a newer CLDR adding a category fails here and names the entries to extend).
    expect(categories('en')).toEqual(['one', 'other']);
    expect(categories('es')).toEqual(['many', 'one', 'other']);
    const plural = Object.entries(a).filter(([, e]) => typeof e !== 'string');
    for (const [k, ea] of plural) {
      expect([k, Object.keys(ea).sort()]).toEqual([k, categories('en')]);
      expect([k, Object.keys(b[k]!).sort()]).toEqual([k, categories('es')]);
    }
  });

  it.each(parts)('%s: no "(s)"-style plurals and no ad-hoc ".one" keys', (_, a, b) => {
    const texts = [a, b].flatMap((d) => Object.entries(d).flatMap(([k, e]) => (typeof e === 'string' ? [[k, e]] : Object.values(e).map((f) => [k, f]))));
    expect(texts.filter(([, text]) => /\w\((s|es|as|os|a|o)\)/.test(text!))).toEqual([]);
    expect(Object.keys(a).filter((k) => k.endsWith('.one'))).toEqual([]);
  });

  it('no key is in two parts (a later part would silently replace an entry)', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, d] of [...parts.map(([n, a]) => [n, a] as const), ['messages.*.ts', messagesEn] as const]) {
      for (const k of Object.keys(d)) {
        if (seen.has(k)) clashes.push(`${k} in ${seen.get(k)} and ${name}`);
        seen.set(k, name);
      }
    }
    expect(clashes).toEqual([]);
  });
});

describe('plural forms chosen by Intl.PluralRules', () => {
  it('picks one / many / other for the count and shows it with the locale’s digits', () => {
    expect(translate('en', 'bookings.total', { n: 1 }, 'en-GB')).toBe('1 booking');
    expect(translate('en', 'bookings.total', { n: 0 }, 'en-GB')).toBe('0 bookings');
    expect(translate('en', 'bookings.total', { n: 2192 }, 'en-US')).toBe('2,192 bookings');
    expect(translate('es', 'bookings.total', { n: 1 }, 'es-ES')).toBe('1 reserva');
    expect(translate('es', 'bookings.total', { n: 17_000 }, 'es-ES')).toBe('17.000 reservas');
    expect(translate('es', 'bookings.total', { n: 1_000_000 }, 'es-ES')).toBe('1.000.000 de reservas');
    expect(translate('es', 'queue.newArrived', { n: 1 }, 'es-ES')).toBe('1 reserva nueva esperando aprobación');
    expect(translate('es', 'queue.newArrived', { n: 3 }, 'es-ES')).toBe('3 reservas nuevas esperando aprobación');
    expect(translate('en', 'import.commit', { n: 1 }, 'en-GB')).toBe('Import 1 offering');
    // A full slot's places: the noun and participle agree with the count (#13).
    expect(translate('es', 'queue.flag.full', { n: 1, taken: 1 }, 'es-ES')).toBe('Franja llena (1 de 1 plaza ocupada)');
    expect(translate('es', 'queue.flag.full', { n: 14, taken: 14 }, 'es-ES')).toBe('Franja llena (14 de 14 plazas ocupadas)');
    expect(translate('es', 'safety.fullBody', { n: 1, taken: 1, quantity: 1 }, 'es-ES')).toBe('Ya hay 1 de 1 plaza confirmada; esta reserva necesita 1 más.');
    expect(translate('en', 'safety.fullBody', { n: 1, taken: 1, quantity: 1 }, 'en-US')).toBe('1 of 1 place is already confirmed; this booking needs 1 more.');
    expect(translate('en', 'safety.fullBody', { n: 14, taken: 14, quantity: 2 }, 'en-US')).toBe('14 of 14 places are already confirmed; this booking needs 2 more.');
    expect(translate('es', 'import.plain.partial', { n: 1, sent: 0, waiting: 1, refused: 0 }, 'es-ES')).toBe('El servidor tiene 0 de 1 oferta de esta importación · esperando envío: 1 · rechazadas: 0.');
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
  it('reaches every part of the dictionaries', () => {
    expect(translate('es', 'import.commit', { n: 3 })).toBe('Importar 3 ofertas');
    expect(translate('en', 'feeds.title')).toBe('Calendar');
    expect(translate('es', 'nav.catalogue')).toBe('Catálogo');
  });
  it('uses the regional variant the user prefers', () => {
    expect(localeOf('en', ['es-MX', 'en-US'])).toBe('en-US');
    expect(localeOf('es', ['es-MX', 'en-US'])).toBe('es-MX');
    expect(localeOf('es', ['en-US'])).toBe('es-ES');
  });
});
