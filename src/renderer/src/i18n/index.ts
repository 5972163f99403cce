/** A small typed dictionary with `{name}` interpolation; Intl does dates, money and plurals of units. */
import { useCallback } from 'react';
import { useApp } from '../store/app.ts';
import { translate, localeOf } from './translate.ts';
import type { Language, T } from './translate.ts';

export * from './translate.ts';

/** The current language's translate function plus its BCP-47 locale for Intl. */
export function useT(): { t: T; lang: Language; locale: string } {
  const lang = useApp((s) => s.settings?.language ?? s.fallbackLanguage);
  const t = useCallback<T>((key, vars) => translate(lang, key, vars), [lang]);
  return { t, lang, locale: localeOf(lang) };
}
