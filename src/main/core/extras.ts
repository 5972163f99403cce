/**
 * Contract handlers for the catalogue importer (`import.*`) and the calendar (`feeds.*`,
 * `calendar.export`), kept apart from core.ts: `#makeHandlers()` spreads `extraHandlers(this, emit)`.
 *
 * - Uploads arrive as base64 bytes; they are written to a private temporary file and checked from
 *   there, so the streamed check reads 64 KiB chunks through real I/O and other calls get their turn
 *   between chunks. The file is kept until its check is dropped (only the last few are kept).
 * - `import.progress` events carry the caller's `requestId` (check) or the token (commit).
 * - After a commit or a batch change the UI is told (`data.changed`) and the push is kicked.
 * - A batch the server refused part of is paused whenever conflicts change (`pauseRefused`).
 * - Feed changes are announced as `data.changed` with the table `feeds` (other windows, the relay republisher).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractError, type CalendarFeedSecret, type CalendarFeedView, type ContractEvents, type EventName, type ImportCommitResult, type ImportProgressEvent } from '../../shared/contract/types.ts';
import type { ContractHandlers } from '../../shared/contract/schemas.ts';
import { addFeed, exportIcs, feedPath, FeedInputError, FeedNotFoundError, listFeeds, publicFeedUrl, readCalendarBookings, readTenant, revokeFeed, rotateFeed, type Feed } from './calendar/index.ts';
import type { ConsoleCore } from './core.ts';
import { apiRulesFetcher } from './import/replica-sink.ts';
import { ImportService } from './import/service.ts';
import { UnpublishRefused } from './import/changes.ts';
import type { ImportProgress } from './import/types.ts';

export type ExtraMethod =
  | 'import.template'
  | 'import.check'
  | 'import.commit'
  | 'import.errorReport'
  | 'import.batches'
  | 'import.status'
  | 'import.resume'
  | 'import.rollback'
  | 'import.verifyAvailability'
  | 'feeds.list'
  | 'feeds.add'
  | 'feeds.rotate'
  | 'feeds.revoke'
  | 'calendar.export';

export type Emit = <E extends EventName>(event: E, payload: ContractEvents[E]) => void;

const veventStart = 'BEGIN:VEVENT\r\n';

/** Uploaded files kept on disk for their check (report, commit); the oldest beyond this are removed. */
const keepUploads = 4;
/** Progress events at most this often (plus the last one). */
const progressEveryMs = 100;

function throttledProgress(emit: Emit, ids: { requestId: string | null; token: string | null }): (p: ImportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < progressEveryMs && p.bytesProcessed < p.bytesTotal) return;
    last = now;
    const payload: ImportProgressEvent = { ...ids, phase: p.phase, bytesProcessed: p.bytesProcessed, bytesTotal: p.bytesTotal, rows: p.rows };
    emit('import.progress', payload);
  };
}

/** Upload folders of every core in this process, removed when the process exits (one listener). */
const uploadDirs = new Set<string>();
function newUploadDir(): string {
  if (uploadDirs.size === 0) {
    process.once('exit', () => {
      for (const dir of uploadDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'orkestr-import-'));
  uploadDirs.add(dir);
  return dir;
}

function notFound(error: unknown): never {
  if (error instanceof FeedNotFoundError) throw new ContractError('NOT_FOUND', error.message);
  if (error instanceof FeedInputError) throw new ContractError('BAD_INPUT', error.message, [{ path: 'name', message: error.message }]);
  throw error;
}

export function extraHandlers(core: ConsoleCore, emit: Emit): Pick<ContractHandlers, ExtraMethod> {
  const service = new ImportService(core.replica, {
    keep: keepUploads,
    onChanged: () => core.notifyChanged(['offerings', 'intents', 'conflicts', 'availability']),
  });
  let uploadDir: string | null = null;
  const uploads = new Map<string, string>(); // token → temporary file
  const dropOldUploads = (): void => {
    while (uploads.size > keepUploads) {
      const [token, file] = uploads.entries().next().value as [string, string];
      uploads.delete(token);
      rmSync(file, { force: true });
    }
  };
  const dropUpload = (token: string): void => {
    const file = uploads.get(token);
    if (file) rmSync(file, { force: true });
    uploads.delete(token);
  };

  // A refusal by the server arrives as a conflict: hold the rest of that batch until the user decides.
  core.on((event, payload) => {
    if (event !== 'data.changed') return;
    const tables = (payload as ContractEvents['data.changed']).tables;
    if (!tables.includes('conflicts')) return;
    try {
      service.pauseRefused();
    } catch {
      // the replica may be closing
    }
  });

  const expired = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error);
    if (/expired/.test(message)) throw new ContractError('NOT_FOUND', message);
    if (/errors?/i.test(message) && /refus|reject|error/i.test(message)) throw new ContractError('CONFLICT', message);
    throw error;
  };

  const relayUrl = (): string | null => core.settings().relayUrl;
  const feedView = (feed: Feed, localPath: string | null): CalendarFeedView => {
    const relay = relayUrl();
    return {
      id: feed.id,
      name: feed.name,
      filters: feed.filters,
      publish: feed.publish,
      localPath,
      publicUrl: feed.publish && relay && !feed.revokedAt ? publicFeedUrl(relay, feed.publishKey) : null,
      revoked: feed.revokedAt !== null,
      createdAt: feed.createdAt,
    };
  };
  const secret = (r: { feed: Feed; token: string }): CalendarFeedSecret => {
    const localPath = feedPath(r.token);
    return { feed: feedView(r.feed, localPath), token: r.token, localPath };
  };

  return {
    'import.template': (i) => {
      const t = service.template();
      const lang = i.language ?? (core.settings().language === 'es' ? 'es' : 'en');
      return { csv: t.csv, columns: t.columns.map((c) => ({ name: c.field, required: c.required, description: lang === 'es' ? c.es : c.en, example: c.example })) };
    },
    'import.check': async (i) => {
      const bytes = Buffer.from(i.contentBase64, 'base64');
      uploadDir ??= newUploadDir();
      const file = join(uploadDir, `upload-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
      writeFileSync(file, bytes, { mode: 0o600 });
      try {
        const r = await service.check(
          {
            path: file,
            fileName: i.fileName,
            ...(i.delimiter ? { delimiter: i.delimiter } : {}),
            ...(i.encoding ? { encoding: i.encoding } : {}),
            ...(i.mapping ? { mapping: i.mapping } : {}),
          },
          throttledProgress(emit, { requestId: i.requestId ?? null, token: null }),
        );
        uploads.set(r.token, file);
        dropOldUploads();
        return r;
      } catch (error) {
        rmSync(file, { force: true });
        throw error;
      }
    },
    'import.commit': async (i) => {
      // Let the UI paint the progress bar before the one (synchronous) transaction starts.
      await new Promise<void>((resolve) => setImmediate(resolve));
      let r: ImportCommitResult;
      try {
        r = service.commit(i.token, throttledProgress(emit, { requestId: null, token: i.token }), i.allowUnpublish ?? false);
      } catch (error) {
        if (error instanceof UnpublishRefused) throw new ContractError('NEEDS_CONFIRMATION', error.message);
        return expired(error);
      }
      dropUpload(i.token);
      core.notifyChanged(['offerings', 'intents', 'availability']);
      core.syncNow();
      return r;
    },
    'import.errorReport': async (i) => {
      uploadDir ??= newUploadDir();
      const out = join(uploadDir, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
      try {
        const { rows } = await service.writeReport(i.token, out);
        return { csv: readFileSync(out, 'utf8'), rows };
      } catch (error) {
        return expired(error);
      } finally {
        rmSync(out, { force: true });
      }
    },
    'import.batches': () => {
      service.pauseRefused();
      return service.batches();
    },
    'import.status': (i) => {
      service.pauseRefused();
      return service.status(i.batchId);
    },
    'import.resume': (i) => {
      if (!service.status(i.batchId)) throw new ContractError('NOT_FOUND', `No import batch ${i.batchId}`);
      const r = service.resume(i.batchId, i.fixes);
      core.syncNow();
      return r;
    },
    'import.rollback': (i) => {
      if (!service.status(i.batchId)) throw new ContractError('NOT_FOUND', `No import batch ${i.batchId}`);
      const r = service.rollback(i.batchId, core.pusher.inFlight);
      core.syncNow();
      return r;
    },
    'import.verifyAvailability': async (i) => {
      if (!service.status(i.batchId)) throw new ContractError('NOT_FOUND', `No import batch ${i.batchId}`);
      const api = core.engine.api;
      if (!api) throw new ContractError('UNAVAILABLE', 'Not connected to an Orkestr account: the server cannot be asked.');
      return service.verifyAvailability(i.batchId, apiRulesFetcher({ get: (path) => api.get(path, { priority: 'user' }) }));
    },
    'feeds.list': (i) => listFeeds(core.replica, { includeRevoked: i.includeRevoked ?? false }).map((f) => feedView(f, null)),
    'feeds.add': (i) => {
      try {
        const r = secret(addFeed(core.replica, { name: i.name, filters: i.filters, ...(i.publish !== undefined ? { publish: i.publish } : {}) }));
        core.notifyChanged(['feeds']);
        return r;
      } catch (error) {
        return notFound(error);
      }
    },
    'feeds.rotate': (i) => {
      try {
        const r = secret(rotateFeed(core.replica, i.id));
        core.notifyChanged(['feeds']);
        return r;
      } catch (error) {
        return notFound(error);
      }
    },
    'feeds.revoke': (i) => {
      try {
        const r = feedView(revokeFeed(core.replica, i.id), null);
        core.notifyChanged(['feeds']);
        return r;
      } catch (error) {
        return notFound(error);
      }
    },
    'calendar.export': (i) => {
      if (i.from && i.to && Date.parse(i.to) <= Date.parse(i.from)) throw new ContractError('BAD_INPUT', '`to` must be after `from`.', [{ path: 'to', message: 'must be after from' }]);
      const filter = {
        from: i.from ?? null,
        to: i.to ?? null,
        offeringIds: i.offeringIds ?? null,
        includePending: i.includePending ?? false,
      };
      const bookings = readCalendarBookings(core.replica, filter);
      const tenant = readTenant(core.replica);
      const name = tenant.name ?? 'Orkestr';
      const ics = exportIcs(bookings, { calendarName: `${name} bookings`, subdomain: tenant.subdomain, filter });
      // Counted in place: splitting a 100k-event calendar would copy it into 100k strings.
      let events = 0;
      for (let at = ics.indexOf(veventStart); at !== -1; at = ics.indexOf(veventStart, at + veventStart.length)) events++;
      const day = (s: string | undefined): string => (s ? s.slice(0, 10) : '');
      const range = i.from || i.to ? `-${day(i.from) || 'start'}_${day(i.to) || 'end'}` : '';
      return { ics, fileName: `bookings${range}.ics`, events };
    },
  };
}
