/**
 * Shared checks for calendar tests: every export is parsed by two independent parsers (ical.js and
 * node-ical) and checked octet by octet for CRLF and folding.
 */
import ICAL from 'ical.js';
import nodeIcal from 'node-ical';
import { expect } from 'vitest';
import type { CalendarBooking } from '../../src/main/core/calendar/ics.ts';

export interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  location: string | null;
  status: string | null;
  transp: string | null;
  sequence: number;
  start: number;
  end: number;
  dtstamp: number;
  lastModified: number | null;
  url: string | null;
}

export interface ParsedCalendar {
  name: string | null;
  method: string | null;
  events: ParsedEvent[];
}

function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'val' in (v as Record<string, unknown>)) return String((v as { val: unknown }).val);
  return String(v);
}

export function parseWithIcalJs(text: string): ParsedCalendar {
  const comp = new ICAL.Component(ICAL.parse(text));
  const events = comp.getAllSubcomponents('vevent').map((v): ParsedEvent => {
    const time = (name: string): number | null => {
      const t = v.getFirstPropertyValue(name) as ICAL.Time | null;
      return t ? t.toJSDate().getTime() : null;
    };
    const value = (name: string): string | null => {
      const x = v.getFirstPropertyValue(name);
      return x === null || x === undefined ? null : String(x);
    };
    return {
      uid: value('uid') ?? '',
      summary: value('summary') ?? '',
      description: value('description') ?? '',
      location: value('location'),
      status: value('status'),
      transp: value('transp'),
      sequence: Number(v.getFirstPropertyValue('sequence') ?? 0),
      start: time('dtstart') ?? NaN,
      end: time('dtend') ?? NaN,
      dtstamp: time('dtstamp') ?? NaN,
      lastModified: time('last-modified'),
      url: value('url'),
    };
  });
  // ical.js reads an X- property as type UNKNOWN (raw); RFC 5545 §3.8.8.2 says TEXT: unescape it.
  const rawName = comp.getFirstPropertyValue('x-wr-calname');
  const name = rawName === null ? null : String(rawName).replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
  const method = comp.getFirstPropertyValue('method');
  return { name: name === null ? null : String(name), method: method === null ? null : String(method), events };
}

export function parseWithNodeIcal(text: string): ParsedCalendar {
  const data = nodeIcal.sync.parseICS(text) as Record<string, Record<string, unknown>>;
  const events: ParsedEvent[] = [];
  let name: string | null = null;
  let method: string | null = null;
  for (const [key, c] of Object.entries(data)) {
    if (key === 'vcalendar') {
      name = c['WR-CALNAME'] ? str(c['WR-CALNAME']) : null;
      method = c['method'] ? str(c['method']) : null;
      continue;
    }
    if (c['type'] !== 'VEVENT') continue;
    const time = (v: unknown): number | null => (v instanceof Date ? v.getTime() : null);
    events.push({
      uid: str(c['uid']),
      summary: str(c['summary']),
      description: str(c['description']),
      location: c['location'] === undefined ? null : str(c['location']),
      status: c['status'] === undefined ? null : str(c['status']),
      transp: c['transparency'] === undefined ? null : str(c['transparency']),
      sequence: Number(c['sequence'] ?? 0),
      start: time(c['start']) ?? NaN,
      end: time(c['end']) ?? NaN,
      dtstamp: time(c['dtstamp']) ?? NaN,
      lastModified: time(c['lastmodified']),
      url: c['url'] === undefined ? null : str(c['url']),
    });
  }
  return { name, method, events };
}

/**
 * Parses with both parsers, asserts they agree (events sorted by UID for the comparison, since
 * node-ical keys events by UID), checks the octet-level format, and returns ical.js's reading in
 * file order.
 */
export function parseBoth(text: string): ParsedCalendar {
  expectWellFormed(text);
  const a = parseWithIcalJs(text);
  const b = parseWithNodeIcal(text);
  const byUid = (x: ParsedEvent, y: ParsedEvent): number => (x.uid < y.uid ? -1 : x.uid > y.uid ? 1 : 0);
  expect(b.events.slice().sort(byUid)).toEqual(a.events.slice().sort(byUid));
  expect(b.method).toBe(a.method);
  expect(b.name).toBe(a.name);
  return a;
}

/** CRLF everywhere (including the last line), every physical line ≤ 75 octets, folds never split UTF-8. */
export function expectWellFormed(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  expect(bytes.toString('utf8')).toBe(text);
  expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  // No bare LF or CR.
  expect(/\r(?!\n)/.test(text)).toBe(false);
  expect(/(?<!\r)\n/.test(text)).toBe(false);
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) {
    const octets = Buffer.byteLength(line, 'utf8');
    expect(octets, `line over 75 octets: ${JSON.stringify(line)}`).toBeLessThanOrEqual(75);
    // Each physical line must be valid UTF-8 by itself: a fold never cuts a character.
    const own = Buffer.from(line, 'utf8');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(own)).toBe(line);
  }
  // The last octets of the file.
  expect(bytes.subarray(-2).toString('hex')).toBe('0d0a');
}

/** RFC 5545 unfolding: CRLF followed by one space or tab is removed. */
export function unfold(text: string): string {
  return text.replace(/\r\n[ \t]/g, '');
}

/** The unfolded content lines of the file. */
export function contentLines(text: string): string[] {
  return unfold(text).split('\r\n').filter((l) => l !== '');
}

export function booking(over: Partial<CalendarBooking> & { id: string }): CalendarBooking {
  const n = over.id.replace(/\D/g, '') || '1';
  return {
    status: 'CONFIRMED',
    version: 1,
    updatedAt: '2026-05-01T10:00:00.000Z',
    offeringId: 'off_loft',
    offeringTitle: 'Soho Loft',
    customerName: 'Ana García',
    notes: '',
    items: [{ id: `bki_${n}`, startsAt: '2026-05-12T15:00:00.000Z', endsAt: '2026-05-12T16:00:00.000Z' }],
    location: null,
    ...over,
  };
}
