/**
 * An export to a file rendered by several calendar workers that each read only a share of the
 * bookings (a part of the table's rowid span, source.ts): each renders the events of its share, in
 * output order among themselves, and the workers' events interleave in the file. Each worker sends
 * the keys of its events (start, item id) and their sizes; every worker merges all keys the same way
 * (`placeShare`) and writes its own events at their offsets. Reading a share instead of every row
 * halves a cold export's read (most of its garbage-collection work too): bench/calendar.ts.
 */
import { cachedEvent, compareEvents, eachEntry, selectionOf, type CalendarBooking, type EventCache, type EventEntry, type IcsFilter, type IcsPlan } from './ics.ts';

/** The order keys and sizes of one worker's events (output order among themselves); sent between threads. */
export interface ShareKeys {
  /** Start of each event (ms). */
  startMs: Float64Array;
  /** The item ids, one after the other (ends in `idEnds`): one string crosses threads, not one per event. */
  ids: string;
  idEnds: Uint32Array;
  /** Size of each event in octets. */
  sizes: Uint32Array;
}

/** One worker's events, rendered: where each one's bytes are (in the event cache's chunks). */
export interface RenderedShare {
  keys: ShareKeys;
  chunks: Buffer[];
  starts: Uint32Array;
  /** Octets of all events. */
  bytes: number;
}

/** Renders every event of `plan` (through `cache`) and answers its keys and where its bytes are. */
export function renderShare(plan: IcsPlan, cache: EventCache): RenderedShare {
  const n = plan.entries.length;
  const startMs = new Float64Array(n);
  const idEnds = new Uint32Array(n);
  const sizes = new Uint32Array(n);
  const starts = new Uint32Array(n);
  const chunks: Buffer[] = new Array<Buffer>(n);
  const ids: string[] = new Array<string>(n);
  let idLength = 0;
  let bytes = 0;
  for (let k = 0; k < n; k++) {
    const e = plan.entries[k];
    if (!e) break;
    // The cache may move an event later (compaction): keep the chunk it is in now (never rewritten).
    const hit = cachedEvent(cache, e, plan.subdomain);
    chunks[k] = hit.chunk;
    starts[k] = hit.start;
    sizes[k] = hit.end - hit.start;
    bytes += hit.end - hit.start;
    startMs[k] = e.startMs;
    ids[k] = e.item.id;
    idLength += e.item.id.length;
    idEnds[k] = idLength;
  }
  return { keys: { startMs, ids: ids.join(''), idEnds, sizes }, chunks, starts, bytes };
}

/**
 * Renders the events of the bookings `each` hands over (through `cache`) as they come, and answers
 * them in output order (start, then item id): what renderShare answers for a plan of the same
 * bookings and filter. A booking is rendered as soon as it is read, so a cold export's rows, their
 * booking objects and events die young instead of all 50k of a share surviving (promoted, then
 * copied and marked by the garbage collector) until every one is read and ordered; only each event's
 * key and place stay. Ordered afterwards by index, as selectEntries orders its entries.
 */
export function renderShareStream(each: (visit: (b: CalendarBooking) => void) => void, filter: IcsFilter | undefined, subdomain: string, cache: EventCache): RenderedShare {
  const sel = selectionOf(filter);
  const startList: number[] = [];
  const idList: string[] = [];
  const chunkList: Buffer[] = [];
  const startOf: number[] = [];
  const sizeOf: number[] = [];
  const visitEntry = (e: EventEntry): void => {
    const hit = cachedEvent(cache, e, subdomain);
    startList.push(e.startMs);
    idList.push(e.item.id);
    // The cache may move an event later (compaction): keep the chunk it is in now (never rewritten).
    chunkList.push(hit.chunk);
    startOf.push(hit.start);
    sizeOf.push(hit.end - hit.start);
  };
  each((b) => eachEntry(b, sel, visitEntry));
  const n = idList.length;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((x, y) => compareEvents(startList[x] ?? 0, idList[x] ?? '', startList[y] ?? 0, idList[y] ?? ''));
  const startMs = new Float64Array(n);
  const idEnds = new Uint32Array(n);
  const sizes = new Uint32Array(n);
  const starts = new Uint32Array(n);
  const chunks: Buffer[] = new Array<Buffer>(n);
  const ids: string[] = new Array<string>(n);
  let idLength = 0;
  let bytes = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] ?? 0;
    const id = idList[i] ?? '';
    startMs[k] = startList[i] ?? 0;
    ids[k] = id;
    idLength += id.length;
    idEnds[k] = idLength;
    chunks[k] = chunkList[i] ?? Buffer.alloc(0);
    starts[k] = startOf[i] ?? 0;
    sizes[k] = sizeOf[i] ?? 0;
    bytes += sizes[k] ?? 0;
  }
  return { keys: { startMs, ids: ids.join(''), idEnds, sizes }, chunks, starts, bytes };
}

function idAt(keys: ShareKeys, i: number): string {
  return keys.ids.slice(i === 0 ? 0 : (keys.idEnds[i - 1] ?? 0), keys.idEnds[i] ?? 0);
}

/** Whether event i of a sorts before event j of b: the order of selectEntries (start, then item id). */
function before(a: ShareKeys, i: number, b: ShareKeys, j: number): boolean {
  const sa = a.startMs[i] ?? 0;
  const sb = b.startMs[j] ?? 0;
  if (sa !== sb) return sa < sb;
  // Rare (equal starts in two shares): the ids, cut out of the joined string only here.
  return idAt(a, i) < idAt(b, j);
}

/** A run of consecutive events of one share, [from, to) in its order, at `position` in the file. */
export interface Run {
  position: number;
  from: number;
  to: number;
}

/**
 * The runs of share `self`'s events in the file, given every share's keys (in share order) and the
 * octets before the first event (the calendar's head): all shares merged by (start, item id), the
 * same merge in every worker. Item ids are unique, so no two events compare equal.
 */
export function placeShare(all: readonly ShareKeys[], self: number, headBytes: number): Run[] {
  const next = all.map(() => 0);
  const runs: Run[] = [];
  let position = headBytes;
  let run: Run | null = null;
  for (;;) {
    // Merged one event at a time: the share whose next event comes first (two shares: one comparison).
    let pick = -1;
    for (let s = 0; s < all.length; s++) {
      const keys = all[s];
      const i = next[s] ?? 0;
      if (!keys || i >= keys.startMs.length) continue;
      const best = all[pick];
      if (pick < 0 || !best || before(keys, i, best, next[pick] ?? 0)) pick = s;
    }
    if (pick < 0) break;
    const i = next[pick] ?? 0;
    next[pick] = i + 1;
    if (pick === self) {
      if (run && run.to === i) run.to = i + 1;
      else runs.push((run = { position, from: i, to: i + 1 }));
    } else run = null;
    position += all[pick]?.sizes[i] ?? 0;
  }
  return runs;
}

/** The byte pieces of events [from, to) of a rendered share, neighbours in a chunk joined. */
export function piecesOf(share: RenderedShare, from: number, to: number): Buffer[] {
  const pieces: Buffer[] = [];
  let chunk: Buffer | null = null;
  let start = 0;
  let end = 0;
  for (let k = from; k < to; k++) {
    const c = share.chunks[k];
    const s = share.starts[k] ?? 0;
    const size = share.keys.sizes[k] ?? 0;
    if (c === chunk && s === end) {
      end += size;
      continue;
    }
    if (chunk) pieces.push(chunk.subarray(start, end));
    chunk = c ?? null;
    start = s;
    end = s + size;
  }
  if (chunk) pieces.push(chunk.subarray(start, end));
  return pieces;
}
