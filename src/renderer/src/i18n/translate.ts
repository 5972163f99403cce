import { calendarEn } from './calendar.en.ts';
import { calendarEs } from './calendar.es.ts';
import { en as baseEn } from './en.ts';
import { frontdeskEn } from './frontdesk.en.ts';
import { frontdeskEs } from './frontdesk.es.ts';
import { es as baseEs } from './es.ts';
import { importEn } from './import.en.ts';
import { importEs } from './import.es.ts';
import { messagesEn } from './messages.en.ts';
import { messagesEs } from './messages.es.ts';
import { reviewsEn } from './reviews.en.ts';
import { reviewsEs } from './reviews.es.ts';
import { rulesEn } from './rules.en.ts';
import { rulesEs } from './rules.es.ts';
import type { PluralForms, PluralKeys, TextKeys } from './types.ts';
import { formatNumber, pluralCategory } from '../lib/format.ts';

const en = { ...baseEn, ...importEn, ...calendarEn, ...messagesEn, ...frontdeskEn, ...reviewsEn, ...rulesEn };
const es = { ...baseEs, ...importEs, ...calendarEs, ...messagesEs, ...frontdeskEs, ...reviewsEs, ...rulesEs };
type Source = typeof en;
/** A key whose entry is a text. */
export type MessageKey = TextKeys<Source>;
/** A key whose entry counts something: it takes the count as `n`. */
export type PluralKey = PluralKeys<Source>;
export type Language = 'en' | 'es';
export type Vars = Record<string, string | number>;
export type CountVars = Vars & { n: number };

/** The translate function of one language: `t(key, vars)`; a counting key needs the count `n`. */
export interface T {
  (key: MessageKey, vars?: Vars): string;
  (key: PluralKey, vars: CountVars): string;
}

const dicts: Record<Language, Readonly<Record<string, string | PluralForms>>> = { en, es };

/**
 * The message for `key` in `lang` with `{name}` placeholders filled. A counting entry picks the form
 * `Intl.PluralRules` names for `n` in the locale and shows `n` formatted for it (2,192 / 2192 / 1.000.000).
 */
export function translate(lang: Language, key: MessageKey, vars?: Vars, locale?: string): string;
export function translate(lang: Language, key: PluralKey, vars: CountVars, locale?: string): string;
export function translate(lang: Language, key: MessageKey | PluralKey, vars?: Vars, locale: string = localeOf(lang)): string {
  const entry = dicts[lang][key] ?? dicts.en[key] ?? key;
  let template: string;
  let values = vars;
  if (typeof entry === 'string') template = entry;
  else {
    const n = Number(vars?.['n']);
    template = entry[pluralCategory(n, locale) as keyof PluralForms] ?? entry.other;
    values = { ...vars, n: Number.isFinite(n) ? formatNumber(n, locale) : String(vars?.['n']) };
  }
  if (!values) return template;
  const filled = values;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in filled ? String(filled[name]) : m));
}

/** The translate function for a language and the locale its numbers are shown in. */
export function translator(lang: Language, locale: string = localeOf(lang)): T {
  return ((key: MessageKey, vars?: Vars) => translate(lang, key, vars, locale)) as T;
}

/** A label for a value the server names (a status, an event): its translation when we have one, else the value. */
export function labelOr(t: T, key: string, fallback: string): string {
  const out = t(key as MessageKey);
  return out === key ? fallback : out;
}

/** The user's own regional variant when it matches the chosen language (en-US, es-MX …), else a default. */
export function localeOf(lang: Language, preferred: readonly string[] = typeof navigator !== 'undefined' ? navigator.languages : []): string {
  const match = preferred.find((l) => l.toLowerCase().split('-')[0] === lang);
  return match ?? (lang === 'es' ? 'es-ES' : 'en-GB');
}
