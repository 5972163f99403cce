/**
 * Text the core sends as a code + parameters (src/shared/contract/messages.ts), in the user's language:
 * the `msg.<code>` template of the dictionary with each parameter formatted for the locale (dates in
 * the business's zone, numbers, weekdays, statuses, cancel reasons). Rows stored before the core sent
 * codes have none: the English text the core stored is shown as it is.
 */
import type { CoreMessage } from '../../../shared/contract/messages.ts';
import { labelOr, type MessageKey, type T } from '../i18n/translate.ts';
import { formatDateTime, formatNumber, formatWeekday } from './format.ts';

export interface MessageContext {
  t: T;
  locale: string;
  /** The business's time zone, for instants (messages without instants need none). */
  tz?: string;
}

/** A cancel reason as the console stores it (`customer_request`, `other: free text`): its label when known. */
export function reasonText(t: T, raw: string): string {
  const at = raw.indexOf(':');
  const code = (at < 0 ? raw : raw.slice(0, at)).trim();
  const note = at < 0 ? '' : raw.slice(at + 1).trim();
  const label = labelOr(t, `reason.${code}`, '');
  if (!label) return raw;
  return note ? `${label}: ${note}` : label;
}

function param(name: string, value: string | number, c: MessageContext): string {
  const { t, locale, tz = 'UTC' } = c;
  switch (name) {
    case 'startsAt':
    case 'endsAt':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? formatDateTime(value, tz, locale) : String(value);
    case 'weekday':
      return typeof value === 'number' ? formatWeekday(value, locale) : String(value);
    case 'status':
      return labelOr(t, `bookingStatus.${value}`, String(value));
    case 'by':
      return value === '' ? t('msg.param.by.none') : labelOr(t, `msg.param.by.${value}`, String(value));
    case 'customer':
      return value === '' ? t('msg.param.customer.none') : String(value);
    case 'reason':
      return typeof value === 'string' ? reasonText(t, value) : String(value);
    case 'refundPercent':
      return typeof value === 'number' ? formatNumber(value / 100, locale, { style: 'percent', maximumFractionDigits: 2 }) : String(value);
    case 'confidence':
      return typeof value === 'number' ? formatNumber(value, locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : String(value);
    default:
      return typeof value === 'number' ? formatNumber(value, locale, { useGrouping: name === 'min' || name === 'max' || name === 'minor' }) : value;
  }
}

/** The message in the user's language; `fallback` (the core's English text) when there is no code or no template for it. */
export function coreText(message: CoreMessage | null | undefined, fallback: string, c: MessageContext): string {
  if (!message) return fallback;
  const key = `msg.${message.code}` as MessageKey;
  const template = c.t(key);
  if (template === key) return fallback;
  const params = message.params as Record<string, string | number>;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? param(name, params[name]!, c) : m));
}
