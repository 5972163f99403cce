import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin.ts';
import { Keys, parseKeySpec } from './auth.ts';
import { openDatabase } from './db.ts';
import { applySeed, type SeedOption } from './seed.ts';
import { type Context, handleApi, noFaults, RateLimiter, sendError } from './server.ts';
import { liveTick } from './simulate.ts';
import { Store } from './store.ts';
import type { Scope } from './types.ts';
import { ApiError, Clock } from './util.ts';
import { Webhooks } from './webhooks.ts';

export interface SandboxOptions {
  /** SQLite file; state persists across restarts. */
  dataFile: string;
  /** Default 0 = ephemeral. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** 'ork_<prefix>.<secret>[:scope,scope][@subdomain]', upserted at start; default scopes read,write; default tenant atlas. */
  keys?: string[];
  /** Applied only when the data file is new (no tenants yet); 'none' still creates the tenants atlas and harbor. */
  seed?: SeedOption;
  /** For /_sandbox/*; random when absent. */
  adminToken?: string;
  /** Webhook subscription for tenant atlas. */
  webhook?: { url: string; secret: string; retryBaseMs?: number };
  /** Seconds between simulated customer events; off when absent/0. */
  live?: number;
  /** Default 1000. */
  rateLimitPerMinute?: number;
  /** One line per notable event; default silent. */
  log?: (line: string) => void;
}

export interface Sandbox {
  url: string;
  port: number;
  adminToken: string;
  close(): Promise<void>;
}

export type { SeedOption };
/** How `--key` values are written (`ork_<prefix>.<secret>[:scopes][@tenant]`), for hosts that start the sandbox from a command line. */
export { parseKeySpec } from './auth.ts';

// eslint-disable-next-line max-lines-per-function -- one start sequence whose steps share the handles close() undoes
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const log = options.log ?? ((): void => undefined);
  const clock = new Clock();
  const { db, isNew } = openDatabase(options.dataFile);
  try {
    if (isNew) {
      const seeded = applySeed(db, options.seed ?? 'none', clock.now());
      log(`seeded ${options.dataFile}: ${seeded.offerings} offerings, ${seeded.bookings} bookings in ${seeded.ms} ms`);
    }
    const store = new Store(db, clock);
    const keys = new Keys(db);
    for (const spec of options.keys ?? []) {
      const parsed = parseKeySpec(spec);
      const tenant = store.tenantBySubdomain(parsed.tenant ?? 'atlas');
      if (!tenant) throw new Error(`key ${spec.slice(0, 13)}…: no tenant "${parsed.tenant}" (use atlas or harbor)`);
      const scopes: Scope[] = parsed.scopes ?? ['read', 'write'];
      const id = keys.upsert(parsed.token, tenant.id, scopes, clock.iso());
      log(`key ${id} for ${tenant.subdomain} (${scopes.join(',')})`);
    }
    const webhooks = new Webhooks(db, clock, log);
    if (options.webhook) {
      webhooks.setSubscription(store.tenantBySubdomain('atlas')!.id, options.webhook.url, options.webhook.secret, options.webhook.retryBaseMs ?? 1000);
    }
    const adminToken = options.adminToken ?? `sbx_${randomBytes(18).toString('base64url')}`;
    const ctx: Context & { adminToken: string } = {
      db,
      store,
      keys,
      webhooks,
      clock,
      faults: noFaults(),
      rateLimitPerMinute: options.rateLimitPerMinute ?? 1000,
      log,
      random: Math.random,
      limiter: new RateLimiter(),
      adminToken,
    };
    store.completeEnded();

    const sockets = new Set<Socket>();
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://sandbox.local');
      } catch {
        return sendError(res, new ApiError(400, 'BAD_REQUEST', 'Malformed request target.'));
      }
      const work = url.pathname.startsWith('/_sandbox/') || url.pathname === '/_sandbox' ? handleAdmin(ctx, req, res, url) : handleApi(ctx, req, res, url);
      work.catch((e: unknown) => {
        log(`error: ${(e as Error).stack ?? String(e)}`);
        sendError(res, new ApiError(500, 'INTERNAL', 'Internal error.'));
      });
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('clientError', (_e, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;

    const clockTimer = setInterval(() => {
      try {
        store.completeEnded();
        db.prepare('DELETE FROM idempotency WHERE created_at < ?').run(clock.now() - 24 * 3_600_000);
      } catch (e) {
        log(`clock: ${(e as Error).message}`);
      }
    }, 5000);
    clockTimer.unref();
    let liveTimer: NodeJS.Timeout | null = null;
    if (options.live && options.live > 0) {
      liveTimer = setInterval(() => liveTick(ctx), options.live * 1000);
      log(`live mode: a simulated customer acts every ${options.live} s`);
    }
    webhooks.start();
    const hostForUrl = host.includes(':') ? `[${host}]` : host;
    const url = `http://${hostForUrl}:${port}`;
    log(`listening on ${url}`);

    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      adminToken,
      close(): Promise<void> {
        closing ??= (async () => {
          clearInterval(clockTimer);
          if (liveTimer) clearInterval(liveTimer);
          await webhooks.close();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            setTimeout(() => {
              for (const s of sockets) s.destroy();
            }, 200).unref();
          });
          db.close();
          log('closed');
        })();
        return closing;
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}
/** A large tenant written straight into a new data file (benches and scale tests). */
export { bulkSeedCopy, seedBulk, type BulkSeedOptions, type BulkSeedResult } from './bulk-seed.ts';
