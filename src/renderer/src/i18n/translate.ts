import { en } from './en.ts';
import type { MessageKey } from './en.ts';
import { es } from './es.ts';

export type { MessageKey };
export type Language = 'en' | 'es';
export type Vars = Record<string, string | number>;
export type T = (key: MessageKey, vars?: Vars) => string;

const dicts = { en, es } as const;

export function translate(lang: Language, key: MessageKey, vars?: Vars): string {
  const template: string = dicts[lang][key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function localeOf(lang: Language): string {
  return lang === 'es' ? 'es-ES' : 'en-GB';
}
