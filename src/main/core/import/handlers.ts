/**
 * The contract's catalogue importer methods (`import.*`).
 *
 * - Uploads arrive as base64 bytes; they are written to a private temporary file and checked from
 *   there, so the streamed check reads 32 KiB chunks through real I/O and other calls get their turn
 *   between chunks. The file is kept until its check is dropped (only the last few are kept).
 * - `import.progress` events carry the caller's `requestId` (check) or the token (commit).
 * - After a commit or a batch change the UI is told (`data.changed`) and the push is kicked.
 * - A batch the server refused part of is paused whenever conflicts change (`pauseRefused`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractError, type ContractEvents, type ImportCommitResult, type ImportProgressEvent } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext, Emit } from '../context.ts';
import { apiRulesFetcher } from './replica-sink.ts';
import { ImportService } from './service.ts';
import type { ImportProgress } from './types.ts';
import { UnpublishRefused } from './changes.ts';

export type ImportMethod =
  | 'import.template'
  | 'import.check'
  | 'import.commit'
  | 'import.errorReport'
  | 'import.batches'
  | 'import.status'
  | 'import.resume'
  | 'import.rollback'
  | 'import.verifyAvailability';

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

/** Base64 characters decoded at a time: a multiple of 4, so each piece decodes on its own (768 kB). */
const uploadPieceChars = 1 << 20;

/**
 * The upload's base64 decoded and written a piece at a time, each write on the thread pool: decoding
 * a 13 MB file's 17 MB of base64 in one call held the engine's loop ~46 ms, and writeFileSync
 * another 25-60 ms, before the check's first step (the import's longest wait for a call, #16).
 * Base64 with line breaks or spaces in it (which some encoders add) is decoded without them, so the
 * pieces stay aligned on whole quads.
 */
async function writeUpload(file: string, base64: string): Promise<void> {
  const out = await open(file, 'w', 0o600);
  try {
    let text = base64;
    for (let at = 0; at < text.length; at += uploadPieceChars) {
      let piece = text.slice(at, at + uploadPieceChars);
      if (/\s/.test(piece)) {
        text = text.slice(0, at) + text.slice(at).replace(/\s+/g, '');
        piece = text.slice(at, at + uploadPieceChars);
      }
      await out.write(Buffer.from(piece, 'base64'));
    }
  } finally {
    await out.close();
  }
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

/** Long on purpose: nine handlers sharing one service and the upload files it checks; each entry is short. */
// eslint-disable-next-line max-lines-per-function -- nine short handlers sharing one import service and the upload files it checks
export function importHandlers(ctx: CoreContext): Pick<ContractHandlers, ImportMethod> {
  const service = new ImportService(ctx.replica, {
    keep: keepUploads,
    onChanged: () => ctx.notifyChanged(['offerings', 'intents', 'conflicts', 'availability']),
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
  ctx.on((event, payload) => {
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

  return {
    'import.template': (i) => {
      const t = service.template();
      const lang = i.language ?? (ctx.session.settings().language === 'es' ? 'es' : 'en');
      return { csv: t.csv, columns: t.columns.map((c) => ({ name: c.field, required: c.required, description: lang === 'es' ? c.es : c.en, example: c.example })) };
    },
    'import.check': async (i) => {
      uploadDir ??= newUploadDir();
      const file = join(uploadDir, `upload-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
      try {
        await writeUpload(file, i.contentBase64);
        const r = await service.check(
          {
            path: file,
            fileName: i.fileName,
            ...(i.delimiter ? { delimiter: i.delimiter } : {}),
            ...(i.encoding ? { encoding: i.encoding } : {}),
            ...(i.mapping ? { mapping: i.mapping } : {}),
          },
          throttledProgress(ctx.emit, { requestId: i.requestId ?? null, token: null }),
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
      // Written in short steps with the loop's turn between them; progress goes out as it advances.
      let r: ImportCommitResult;
      try {
        r = await service.commit(i.token, throttledProgress(ctx.emit, { requestId: null, token: i.token }), i.allowUnpublish ?? false);
      } catch (error) {
        if (error instanceof UnpublishRefused) throw new ContractError('NEEDS_CONFIRMATION', error.message);
        return expired(error);
      }
      dropUpload(i.token);
      ctx.notifyChanged(['offerings', 'intents', 'availability']);
      ctx.engine.syncNow();
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
      if (service.writing(i.batchId)) throw new ContractError('CONFLICT', `Import batch ${i.batchId} is still being written; try again when it is done.`);
      const r = service.resume(i.batchId, i.fixes);
      ctx.engine.syncNow();
      return r;
    },
    'import.rollback': (i) => {
      if (!service.status(i.batchId)) throw new ContractError('NOT_FOUND', `No import batch ${i.batchId}`);
      if (service.writing(i.batchId)) throw new ContractError('CONFLICT', `Import batch ${i.batchId} is still being written; try again when it is done.`);
      const r = service.rollback(i.batchId, ctx.pusher.inFlight);
      ctx.engine.syncNow();
      return r;
    },
    'import.verifyAvailability': async (i) => {
      if (!service.status(i.batchId)) throw new ContractError('NOT_FOUND', `No import batch ${i.batchId}`);
      const api = ctx.engine.api;
      if (!api) throw new ContractError('UNAVAILABLE', 'Not connected to an Orkestr account: the server cannot be asked.');
      return service.verifyAvailability(i.batchId, apiRulesFetcher({ get: (path) => api.get(path, { priority: 'user' }) }));
    },
  };
}
