/** `orkestr-console sync --relay …`: the CLI receives webhooks through the relay and applies them. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

const key = 'ork_synccli1.sync-cli-relay-secret-0123';
const admin = 'sync-cli-relay-admin';
const secret = 'whsec_sync_cli';
let dir: string;
let relay: RelayHandle;
let sandbox: Sandbox;
let channel: { id: string; ingressUrl: string; deviceToken: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sync-cli-relay-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin });
  const res = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  channel = (await res.json()) as typeof channel;
  sandbox = await startSandbox({ dataFile: join(dir, 'sandbox.db'), keys: [key], adminToken: admin, seed: 'demo', webhook: { url: channel.ingressUrl, secret, retryBaseMs: 20 } });
});
afterAll(async () => {
  await sandbox?.close();
  await relay?.close();
});

it('streams webhooks into the replica and stops cleanly on SIGTERM', async () => {
  const db = join(dir, 'replica.db');
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'orkestr-console.mjs');
  const child = spawn(process.execPath, [bin, 'sync', '--api', sandbox.url, '--key', key, '--db', db, '--relay', `${relay.url}/v1/channels/${channel.id}`, '--relay-token', channel.deviceToken, '--webhook-secret', 'whsec_old', '--webhook-secret', secret], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!/relay open/.test(output)) {
      if (Date.now() > deadline) throw new Error(`relay never opened:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ping = await fetch(`${sandbox.url}/_sandbox/webhook/test`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(ping.ok).toBe(true);
    let found = false;
    while (!found) {
      if (Date.now() > deadline) throw new Error(`webhook.test never applied:\n${output}`);
      const reader = new Database(db, { readonly: true, fileMustExist: true });
      try {
        found = Boolean(reader.prepare("SELECT 1 FROM inbox WHERE event = 'webhook.test'").get());
      } catch {
        found = false; // the table may not exist yet
      } finally {
        reader.close();
      }
      if (!found) await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});

it('refuses --relay without a webhook secret (exit 2)', async () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'orkestr-console.mjs');
  const child = spawn(process.execPath, [bin, 'sync', '--api', sandbox.url, '--key', key, '--db', join(dir, 'x.db'), '--relay', `${relay.url}/v1/channels/${channel.id}`, '--relay-token', channel.deviceToken], { stdio: 'ignore' });
  expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
});
