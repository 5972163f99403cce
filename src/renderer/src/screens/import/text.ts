/** How the import wizard words what the core reports: sizes, delimiters, problems and where they are, mapping guesses. */
import type { ImportColumnHelp, ImportIssueView } from '../../../../shared/contract/types.ts';
import type { MessageKey, T } from '../../i18n/index.ts';
import { coreText } from '../../lib/coreMessage.ts';

export function delimiterLabel(t: T, d: string): string {
  return d === ',' ? t('import.delim.comma') : d === ';' ? t('import.delim.semicolon') : d === '\t' ? t('import.delim.tab') : d;
}

export function requiredLabel(t: T, r: ImportColumnHelp['required']): string {
  return t(`import.required.${r === 'new offering' ? 'new' : r === 'availability row' ? 'rule' : r}` as MessageKey);
}

/** The problem in the user's language, without location (the UI shows the location itself). */
export function issueText(t: T, locale: string, i: ImportIssueView): string {
  // Without a code (an older core behind the bridge): the English message minus its location prefix.
  const english = i.message.replace(/^(line \d+(, (column "(?:[^"]|"")*" \([A-Z]+\)|[a-z_]+))?|file): /, '');
  return coreText(i.problem, english, { t, locale });
}

export function issueWhere(t: T, i: ImportIssueView): string {
  if (i.line === null) return t('import.where.file');
  if (i.columnLetter) return t('import.where.cell', { line: i.line, letter: i.columnLetter, column: i.column ?? '' });
  return t('import.where.row', { line: i.line });
}

export function methodLabel(t: T, method: string, confidence: number, locale: string): string {
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(confidence);
  return method === 'none' ? t('import.method.none') : t('import.method.with', { method: t(`import.method.${method}` as MessageKey), pct });
}
