import { describe, expect, it } from 'vitest';
import { coreMessage, coreMessageCodes, coreMessageParams } from '../../../shared/contract/messages.ts';
import { coreText, reasonText } from '../lib/coreMessage.ts';
import { en } from './en.ts';
import { calendarEn } from './calendar.en.ts';
import { importEn } from './import.en.ts';
import { messagesEn } from './messages.en.ts';
import { messagesEs } from './messages.es.ts';
import { translator, type Language } from './translate.ts';

const placeholders = (s: string) => [...new Set(s.match(/\{\w+\}/g) ?? [])].map((p) => p.slice(1, -1)).sort();
const dicts: Record<Language, Record<string, string>> = { en: messagesEn, es: messagesEs };

describe('the core message codes (src/shared/contract/messages.ts)', () => {
  // The list comes from the core's own constant: a code added there without templates fails here.
  it.each(coreMessageCodes.map((c) => [c]))('%s has an English and a Spanish template with exactly its parameters', (code) => {
    const params = [...coreMessageParams[code]].sort();
    for (const lang of ['en', 'es'] as const) {
      const template = dicts[lang][`msg.${code}`];
      expect(template, `${lang} msg.${code}`).toBeTypeOf('string');
      expect(template!.trim(), `${lang} msg.${code}`).not.toBe('');
      expect([lang, code, placeholders(template!)]).toEqual([lang, code, params]);
    }
  });

  it('has Spanish that is not the English text (apart from templates made only of parameters)', () => {
    const same = coreMessageCodes.filter((c) => messagesEs[`msg.${c}`] === messagesEn[`msg.${c}`]);
    expect(same).toEqual(['intent.other']);
  });

  it('has no keys beyond the codes and the parameter words, none clashing with the other dictionaries', () => {
    expect(Object.keys(messagesEs).sort()).toEqual(Object.keys(messagesEn).sort());
    const known = new Set(coreMessageCodes.map((c) => `msg.${c}`));
    expect(Object.keys(messagesEn).filter((k) => !known.has(k) && !k.startsWith('msg.param.'))).toEqual([]);
    for (const k of Object.keys(messagesEn)) expect(Object.hasOwn(en, k) || Object.hasOwn(importEn, k) || Object.hasOwn(calendarEn, k)).toBe(false);
  });
});

describe('coreText', () => {
  const ctx = (lang: Language) => ({ t: translator(lang, lang === 'es' ? 'es-ES' : 'en-GB'), locale: lang === 'es' ? 'es-ES' : 'en-GB', tz: 'Europe/Madrid' });

  it('shows the stored English text when a row has no code (activity kept before codes existed) or an unknown one', () => {
    expect(coreText(null, 'Booking confirmed: Ana', ctx('es'))).toBe('Booking confirmed: Ana');
    expect(coreText(undefined, 'x', ctx('es'))).toBe('x');
    expect(coreText({ code: 'no.such.code', params: {} } as never, 'as stored', ctx('es'))).toBe('as stored');
  });

  it('translates activity and formats its parameters for the locale', () => {
    expect(coreText(coreMessage('activity.bookingConfirmedOffering', { customer: 'Ana Ruiz', offering: 'Soho Loft' }), '', ctx('es'))).toBe('Reserva confirmada: Ana Ruiz · Soho Loft');
    expect(coreText(coreMessage('activity.bookingCancelledRefund', { by: 'customer', customer: '', refundPercent: 50 }), '', ctx('es'))).toBe('Reserva cancelada por el cliente: un cliente · reembolso del 50\u00a0%');
    expect(coreText(coreMessage('activity.bookingCancelled', { by: '', customer: 'Ana' }), '', ctx('en'))).toBe('Booking cancelled by someone: Ana');
    expect(coreText(coreMessage('activity.reviewCreated', { rating: 4 }), '', ctx('es'))).toBe('Nueva reseña de 4 estrellas');
  });

  it('formats instants in the business zone, weekdays, statuses and cancel reasons', () => {
    const resched = coreMessage('intent.booking.reschedule', { bookingId: 'bk_1', itemId: 'it_1', startsAt: '2030-05-14T13:00:00.000Z', endsAt: '2030-05-14T14:00:00.000Z' });
    const es = coreText(resched, '', ctx('es'));
    expect(es).toMatch(/^Cambiar la reserva bk_1 \(elemento it_1\) a mar, 14 may 2030, 15:00 – mar, 14 may 2030, 16:00$/);
    expect(coreText(coreMessage('history.serverVersion', { status: 'CONFIRMED', version: 3 }), '', ctx('es'))).toBe('Servidor: Confirmada (versión 3)');
    expect(coreText(coreMessage('intent.booking.cancelReason', { bookingId: 'bk_1', reason: 'other: double booked' }), '', ctx('es'))).toBe('Cancelar la reserva bk_1 (Otro: double booked)');
    expect(reasonText(translator('es'), 'customer_request')).toBe('El cliente pidió cancelar');
    expect(coreText(coreMessage('import.rule.overlap', { weekday: 1, start: '09:00', end: '12:00', otherStart: '10:00', otherEnd: '11:00', otherLine: 4, slug: 'loft' }), '', ctx('es'))).toBe(
      'lunes 09:00–12:00 se solapa con 10:00–11:00 de la línea 4 para «loft»',
    );
    expect(coreText(coreMessage('import.mapping.fuzzy', { header: 'prize', letter: 'F', field: 'base_price', confidence: 0.8 }), '', ctx('es'))).toBe(
      'la columna «prize» (F) se leyó como base_price (una suposición, confianza 0,80)',
    );
    expect(coreText(coreMessage('import.value.outOfRange', { field: 'capacity', min: 1, max: 100000, got: 0 }), '', ctx('es'))).toBe('capacity debe estar entre 1 y 100.000, pero es 0');
  });
});
