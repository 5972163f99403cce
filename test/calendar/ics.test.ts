import { describe, expect, it, vi } from 'vitest';
import { createEventCache, exportIcs, exportIcsBytes, foldBytes, foldLine, parseIsoMs, portalLink, sequenceFor, type CalendarBooking } from '../../src/main/core/calendar/ics.ts';
import { booking, contentLines, expectWellFormed, parseBoth, unfold } from './helpers.ts';

const longName = 'José Müller-Łukasiewicz 東京 and Zoë Øvergård-Đặng 🎉 with Ñandú Çelik';

function sample(): CalendarBooking[] {
  return [
    booking({
      id: 'bkg_1',
      version: 3,
      customerName: longName,
      notes: 'Bring the projector; two chairs, please.\nSecond line — “quoted” ✓',
      location: '12 Canal Street, New York',
    }),
    booking({
      id: 'bkg_2',
      status: 'PENDING',
      customerName: 'Chloé Dubois',
      items: [{ id: 'bki_2', startsAt: '2026-05-13T09:00:00.000Z', endsAt: '2026-05-13T11:00:00.000Z' }],
    }),
    booking({
      id: 'bkg_3',
      status: 'CANCELLED',
      version: 4,
      updatedAt: '2026-05-02T08:30:00.000Z',
      items: [{ id: 'bki_3', startsAt: '2026-05-14T09:00:00.000Z', endsAt: '2026-05-14T10:00:00.000Z' }],
    }),
    booking({
      id: 'bkg_4',
      status: 'COMPLETED',
      offeringId: 'off_van',
      offeringTitle: 'Cargo Van',
      items: [
        { id: 'bki_4a', startsAt: '2026-04-01T09:00:00.000Z', endsAt: '2026-04-01T17:00:00.000Z' },
        { id: 'bki_4b', startsAt: '2026-04-02T09:00:00.000Z', endsAt: '2026-04-02T17:00:00.000Z' },
      ],
    }),
  ];
}

const base = { calendarName: 'Atlas Studios — bookings', subdomain: 'atlas' };

describe('exportIcs', () => {
  it('writes a calendar both parsers read the same way, with the calendar-level properties', () => {
    const text = exportIcs(sample(), { ...base, filter: { includePending: true } });
    const cal = parseBoth(text);
    expect(cal.method).toBe('PUBLISH');
    expect(cal.name).toBe('Atlas Studios — bookings');
    const lines = contentLines(text);
    expect(lines).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT15M');
    expect(lines).toContain('X-PUBLISHED-TTL:PT15M');
    expect(lines).toContain('METHOD:PUBLISH');
    // No calendar-level timezone: it would make the library drop the Z from DTSTAMP.
    expect(lines.some((l) => /^(X-WR-TIMEZONE|TIMEZONE-ID|BEGIN:VTIMEZONE)/.test(l))).toBe(false);
    for (const l of lines.filter((x) => /^(DTSTART|DTEND|DTSTAMP|LAST-MODIFIED)[:;]/.test(x))) expect(l).toMatch(/:\d{8}T\d{6}Z$/);
    expect(cal.events.map((e) => e.uid)).toEqual([
      'bki_4a@orkestr-console',
      'bki_4b@orkestr-console',
      'bki_1@orkestr-console',
      'bki_2@orkestr-console',
      'bki_3@orkestr-console',
    ]);
  });

  it('folds at ≤ 75 octets without cutting characters, and unfolding gives back the text (non-ASCII names)', () => {
    const text = exportIcs(sample(), base);
    expectWellFormed(text);
    const physical = text.split('\r\n');
    expect(physical.some((l) => l.startsWith(' ')), 'long non-ASCII lines were folded').toBe(true);
    const summary = contentLines(text).find((l) => l.startsWith('SUMMARY:') && l.includes('José'));
    expect(summary).toBe(`SUMMARY:Soho Loft — ${longName}`);
    for (const cal of [parseBoth(text)]) {
      const e = cal.events.find((x) => x.uid === 'bki_1@orkestr-console');
      expect(e?.summary).toBe(`Soho Loft — ${longName}`);
      expect(e?.description).toContain(`Customer: ${longName}`);
      expect(e?.description).toContain('Notes: Bring the projector; two chairs, please.\nSecond line — “quoted” ✓');
      expect(e?.location).toBe('12 Canal Street, New York');
    }
  });

  it('ends every line with CRLF, including the last one', () => {
    const text = exportIcs(sample(), base);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    // Also for an empty calendar.
    const empty = exportIcs([], base);
    expectWellFormed(empty);
    expect(parseBoth(empty).events).toEqual([]);
  });

  it('gives identical bytes for identical data, whatever the input order and whenever it runs', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let a: string;
    let b: string;
    try {
      vi.setSystemTime(new Date('2026-05-01T00:00:00.000Z'));
      a = exportIcs(sample(), { ...base, cache: createEventCache() });
      vi.setSystemTime(new Date('2027-01-01T12:34:56.000Z')); // "now" must not leak into DTSTAMP
      b = exportIcs(sample().reverse(), { ...base, cache: createEventCache() });
    } finally {
      vi.useRealTimers();
    }
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const cached = exportIcs(sample(), base);
    expect(cached).toBe(a);
  });

  it('takes DTSTAMP and LAST-MODIFIED from updatedAt, SEQUENCE from version', () => {
    const cal = parseBoth(exportIcs(sample(), base));
    const e1 = cal.events.find((e) => e.uid === 'bki_1@orkestr-console');
    expect(e1?.dtstamp).toBe(Date.parse('2026-05-01T10:00:00.000Z'));
    expect(e1?.lastModified).toBe(Date.parse('2026-05-01T10:00:00.000Z'));
    expect(e1?.sequence).toBe(3);
    const e3 = cal.events.find((e) => e.uid === 'bki_3@orkestr-console');
    expect(e3?.dtstamp).toBe(Date.parse('2026-05-02T08:30:00.000Z'));
    expect(e3?.sequence).toBe(4);
  });

  it('keeps UIDs stable across exports, filters and changes', () => {
    const first = parseBoth(exportIcs(sample(), base));
    const changed = sample().map((b) => (b.id === 'bkg_1' ? { ...b, version: 5, customerName: 'Someone Else', updatedAt: '2026-05-03T00:00:00.000Z' } : b));
    const second = parseBoth(exportIcs(changed, base));
    expect(second.events.map((e) => e.uid)).toEqual(first.events.map((e) => e.uid));
    const filtered = parseBoth(exportIcs(sample(), { ...base, filter: { offeringIds: ['off_van'] } }));
    expect(filtered.events.map((e) => e.uid)).toEqual(['bki_4a@orkestr-console', 'bki_4b@orkestr-console']);
    for (const e of first.events) expect(e.uid).toMatch(/^bki_[0-9a-z]+@orkestr-console$/);
  });

  it('marks cancelled bookings CANCELLED and transparent; confirmed/completed busy', () => {
    const cal = parseBoth(exportIcs(sample(), base));
    const byUid = new Map(cal.events.map((e) => [e.uid, e]));
    expect(byUid.get('bki_3@orkestr-console')?.status).toBe('CANCELLED');
    expect(byUid.get('bki_3@orkestr-console')?.transp).toBe('TRANSPARENT');
    expect(byUid.get('bki_1@orkestr-console')?.status).toBe('CONFIRMED');
    expect(byUid.get('bki_1@orkestr-console')?.transp).toBe('OPAQUE');
    expect(byUid.get('bki_4a@orkestr-console')?.status).toBe('CONFIRMED');
    const refunded = parseBoth(exportIcs([booking({ id: 'bkg_9', status: 'REFUNDED' })], base));
    expect(refunded.events[0]?.status).toBe('CANCELLED');
  });

  it('leaves PENDING out by default and writes it TENTATIVE (opaque) when asked', () => {
    const without = parseBoth(exportIcs(sample(), base));
    expect(without.events.some((e) => e.uid === 'bki_2@orkestr-console')).toBe(false);
    const withPending = parseBoth(exportIcs(sample(), { ...base, filter: { includePending: true } }));
    const p = withPending.events.find((e) => e.uid === 'bki_2@orkestr-console');
    expect(p?.status).toBe('TENTATIVE');
    expect(p?.transp).toBe('OPAQUE');
    expect(p?.summary).toBe('Pending: Soho Loft — Chloé Dubois');
    expect(contentLines(exportIcs(sample(), { ...base, filter: { includePending: true } }))).toContain('X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE');
  });

  it('filters by date range (overlap), offerings and statuses', () => {
    const uids = (filter: Parameters<typeof exportIcs>[1]['filter']): string[] =>
      parseBoth(exportIcs(sample(), { ...base, filter })).events.map((e) => e.uid.replace('@orkestr-console', ''));
    expect(uids({ from: '2026-05-01T00:00:00Z', to: '2026-05-14T00:00:00Z' })).toEqual(['bki_1']);
    expect(uids({ from: '2026-05-12T15:30:00Z', to: '2026-05-12T15:45:00Z' })).toEqual(['bki_1']); // overlaps
    expect(uids({ from: '2026-05-12T16:00:00Z', to: '2026-05-13T00:00:00Z' })).toEqual([]); // ends exactly at from
    expect(uids({ to: '2026-04-02T09:00:00Z' })).toEqual(['bki_4a']); // starts exactly at to: out
    expect(uids({ statuses: ['CANCELLED'] })).toEqual(['bki_3']);
    expect(uids({ statuses: ['PENDING', 'COMPLETED'] })).toEqual(['bki_4a', 'bki_4b', 'bki_2']);
    expect(uids({ offeringIds: ['off_loft'], includePending: true })).toEqual(['bki_1', 'bki_2', 'bki_3']);
  });

  it('describes the booking with its id, notes and portal link', () => {
    const cal = parseBoth(exportIcs(sample(), base));
    const e = cal.events.find((x) => x.uid === 'bki_1@orkestr-console');
    expect(e?.description).toContain('Booking bkg_1 (CONFIRMED)');
    expect(e?.description).toContain('https://atlas.orkestr.in/provider/bookings/bkg_1');
    expect(e?.url).toBe('https://atlas.orkestr.in/provider/bookings/bkg_1');
    const noTenant = parseBoth(exportIcs(sample(), { calendarName: 'x' }));
    expect(noTenant.events[0]?.url).toBeNull();
  });

  it('escapes the calendar name and strips characters TEXT may not hold', () => {
    const text = exportIcs(
      [booking({ id: 'bkg_7', customerName: 'Bad\u0000\u0007Name \ud800x', notes: 'a\\b;c,d' })],
      { calendarName: 'Atlas; front desk, all\nX-INJECTED:1' },
    );
    const lines = contentLines(text);
    expect(lines.some((l) => l.startsWith('X-INJECTED'))).toBe(false);
    expect(lines).toContain('X-WR-CALNAME:Atlas\\; front desk\\, all\\nX-INJECTED:1');
    const cal = parseBoth(text);
    expect(cal.name).toBe('Atlas; front desk, all\nX-INJECTED:1');
    expect(cal.events[0]?.summary).toBe('Soho Loft — BadName \ufffdx');
    expect(cal.events[0]?.description).toContain('Notes: a\\b;c,d');
  });

  it('writes the summary’s dash as UTF-8 "—" whatever else the event holds (a control character in an item id is written raw)', () => {
    const events = [
      booking({ id: 'bkg_8' }),
      booking({ id: 'bkg_9', items: [{ id: 'bki_9\u0001x', startsAt: '2026-05-12T17:00:00.000Z', endsAt: '2026-05-12T18:00:00.000Z' }] }),
      booking({ id: 'bkg_10', customerName: 'Bad\u0001Name', items: [{ id: 'bki_10', startsAt: '2026-05-12T19:00:00.000Z', endsAt: '2026-05-12T20:00:00.000Z' }] }),
    ];
    const lines = contentLines(exportIcs(events, { ...base, cache: createEventCache() }));
    expect(lines.filter((l) => l.startsWith('SUMMARY:'))).toEqual(['SUMMARY:Soho Loft — Ana García', 'SUMMARY:Soho Loft — Ana García', 'SUMMARY:Soho Loft — BadName']);
    expect(lines).toContain('UID:bki_9\u0001x@orkestr-console');
  });

  it('never lets SEQUENCE go down and has a fallback without versions', () => {
    expect(sequenceFor({ version: 7, updatedAt: '2026-01-01T00:00:00.000Z' })).toBe(7);
    const a = sequenceFor({ version: null, updatedAt: '2026-01-01T00:00:00.000Z' });
    const b = sequenceFor({ version: null, updatedAt: '2026-01-01T00:05:00.000Z' });
    expect(b).toBeGreaterThan(a);
    expect(a).toBeLessThan(2 ** 31); // RFC 5545 INTEGER
  });
});

describe('parseIsoMs and portalLink (fast paths)', () => {
  it('parses exactly like Date.parse', () => {
    const samples = [
      '2026-05-12T15:00:00.000Z', '2026-02-29T00:00:00.000Z', '2026-02-31T00:00:00.000Z', '2024-02-29T23:59:59.999Z',
      '2026-01-01T24:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2026-01-00T00:00:00.000Z',
      '2026-01-01T23:60:00.000Z', '2026-01-01T23:59:60.000Z', '0099-01-01T00:00:00.000Z', '0100-03-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z', '+002026-01-01T00:00:00.000Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5Z',
      '2026-05-01T10:00:00+02:00', '2026-05-01T10:00:00.000+02:00', '2026-5-01T10:00:00.000Z', '2026-05-01 10:00:00.000Z',
      '2026-05-01T1a:00:00.000Z', '2026-05-01T10:00:00.000z', 'not a date', '', '2026-05-01',
    ];
    for (let i = 0; i < 2000; i++) samples.push(new Date(Date.UTC(100, 0, 1) + Math.floor(Math.random() * 3e14)).toISOString());
    for (const s of samples) expect(parseIsoMs(s), s).toBe(Date.parse(s));
  });

  it('links the same as with encodeURIComponent', () => {
    for (const id of ['bkg_000001', 'a.b~c-d_E9', '', 'bkg /?&#16', 'ñ', 'a+b', "x'y(z)*!"]) {
      expect(portalLink('atlas', id)).toBe(`https://atlas.orkestr.in/provider/bookings/${encodeURIComponent(id)}`);
    }
  });
});

describe('foldLine', () => {
  const alphabet = ['a', 'Z', ' ', 'é', 'Ł', '東', '京', '🎉', '𝄞', ';', '\\n', 'ü'];
  it('keeps every physical line ≤ 75 octets and unfolds to the original, for many random lines', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let line = 'DESCRIPTION:';
      const len = rnd(300);
      for (let j = 0; j < len; j++) line += alphabet[rnd(alphabet.length)];
      const folded = foldLine(line);
      expect(unfold(folded)).toBe(line);
      const parts = folded.split('\r\n');
      parts.forEach((p, k) => {
        expect(Buffer.byteLength(p)).toBeLessThanOrEqual(75);
        if (k > 0) expect(p.startsWith(' ')).toBe(true);
        expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
        expect(/[\ud800-\udbff]$/.test(p)).toBe(false); // no half of a surrogate pair at a fold
      });
      if (Buffer.byteLength(line) <= 75) expect(folded).toBe(line);
      // The byte folder (used by the export) obeys the same rule on several lines at once.
      const doc = Buffer.from(`BEGIN:X\r\n${line}\r\n${line}\r\nEND:X\r\n`, 'utf8');
      const fb = foldBytes(doc).toString('utf8');
      expect(unfold(fb)).toBe(doc.toString('utf8'));
      for (const p of fb.slice(0, -2).split('\r\n')) {
        expect(Buffer.byteLength(p)).toBeLessThanOrEqual(75);
        expect(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(p, 'utf8'))).toBe(p);
      }
    }
  });

  it('folds lines made only of 4-, 3- or 2-octet characters', () => {
    for (const ch of ['🎉', '東', 'é']) {
      for (const len of [1, 20, 37, 74, 75, 76, 300, 1000]) {
        const line = `SUMMARY:${ch.repeat(len)}`;
        const doc = Buffer.from(`${line}\r\n${line}\r\n`, 'utf8');
        const folded = foldBytes(doc).toString('utf8');
        expect(unfold(folded)).toBe(doc.toString('utf8'));
        for (const p of folded.slice(0, -2).split('\r\n')) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(75);
        expect(unfold(foldLine(line))).toBe(line);
      }
    }
  });

  it('exportIcsBytes is exportIcs in UTF-8', () => {
    const opts = { calendarName: 'Ünïcödé', subdomain: 'atlas' };
    expect(exportIcsBytes(sample(), opts).equals(Buffer.from(exportIcs(sample(), opts), 'utf8'))).toBe(true);
  });

  it('uses the whole 75 octets of the first line', () => {
    const line = `X:${'a'.repeat(200)}`;
    const parts = foldLine(line).split('\r\n');
    expect(parts[0]?.length).toBe(75);
    expect(parts[1]?.length).toBe(75);
    const byteParts = foldBytes(Buffer.from(`${line}\r\n`)).toString().split('\r\n');
    expect(byteParts[0]?.length).toBe(75);
    expect(byteParts[1]?.length).toBe(75);
  });
});
