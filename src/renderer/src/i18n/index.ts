/** A small typed dictionary with `{name}` interpolation and plural forms; Intl does dates, money, numbers and plural rules. */
import { useMemo } from 'react';
import { useApp } from '../store/app.ts';
import { localeOf, translator } from './translate.ts';
import type { Language, T } from './translate.ts';

export * from './translate.ts';

/** The current language's translate function plus its BCP-47 locale for Intl. */
export function useT(): { t: T; lang: Language; locale: string } {
  const lang = useApp((s) => s.settings?.language ?? s.fallbackLanguage);
  return useMemo(() => {
    const locale = localeOf(lang);
    return { t: translator(lang, locale), lang, locale };
  }, [lang]);
}
