/**
 * A 64-bit hash of strings in two 32-bit FNV-1a-style lanes: the fingerprint of an export's inputs
 * (fingerprint.ts) and the key of a cached event (ics.ts, hashEventInputs). Hand-written loop on purpose: it runs over
 * every code unit of every event's inputs (~200 an event), without allocating.
 */
export class Hash64 {
  a = 0x811c9dc5 | 0;
  b = 0x9747b28c | 0;
  reset(): this {
    this.a = 0x811c9dc5 | 0;
    this.b = 0x9747b28c | 0;
    return this;
  }
  unit(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    this.b = Math.imul(this.b ^ c, 0x5bd1e995);
  }
  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
    this.unit(0x10000); // a separator no code unit equals
  }
  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** What of an event its bytes are made from (ics.ts's EventEntry, structurally: no import cycle). */
export interface EventInputs {
  readonly item: { readonly startsAt: string; readonly endsAt: string };
  readonly booking: {
    readonly id: string;
    readonly status: string;
    readonly version: number | null;
    readonly updatedAt: string;
    readonly offeringTitle: string;
    readonly customerName: string;
    readonly notes: string;
    readonly location?: string | null;
  };
}

const keyHash = new Hash64();

/**
 * The hash of every input of event `e` (its item's times, the booking's fields, the subdomain of
 * its link), in one fixed encoding: each text followed by a separator no code unit equals, markers
 * above the code units for null and for an integer version. The key of a cached event (ics.ts);
 * the answer is reused by the next call (read a and b at once).
 */
export function hashEventInputs(e: EventInputs, subdomain: string): Hash64 {
  const b = e.booking;
  const h = keyHash.reset();
  h.text(e.item.startsAt);
  h.text(e.item.endsAt);
  h.text(b.id);
  h.text(b.status);
  const v = b.version;
  if (v === null) h.unit(0x10001);
  else if ((v | 0) === v) {
    h.unit(0x10002);
    h.unit(v & 0xffff);
    h.unit(v >>> 16);
  } else h.text(String(v));
  h.text(b.updatedAt);
  h.text(b.offeringTitle);
  h.text(b.customerName);
  h.text(b.notes);
  const location = b.location ?? null;
  if (location === null) h.unit(0x10001);
  else h.text(location);
  h.text(subdomain);
  return h;
}
