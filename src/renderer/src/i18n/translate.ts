import { en as baseEn } from './en.ts';
import type { MessageKey as BaseKey } from './en.ts';
import { es as baseEs } from './es.ts';
import { extrasEn, type ExtraMessageKey } from './extras.en.ts';
import { extrasEs } from './extras.es.ts';
import { messagesEn, type MessagesDict } from './messages.en.ts';
import { messagesEs } from './messages.es.ts';

export type MessageKey = BaseKey | ExtraMessageKey | keyof MessagesDict;
const en = { ...baseEn, ...extrasEn, ...messagesEn };
const es = { ...baseEs, ...extrasEs, ...messagesEs };
export type Language = 'en' | 'es';
export type Vars = Record<string, string | number>;
export type T = (key: MessageKey, vars?: Vars) => string;

const dicts = { en, es } as const;

export function translate(lang: Language, key: MessageKey, vars?: Vars): string {
  const template: string = dicts[lang][key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
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
