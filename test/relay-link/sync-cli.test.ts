/** `orkestr-console sync --relay …`: the CLI receives webhooks through the relay and applies them. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../../src/relay/index.ts';
import { runCli, spawnCli } from '../support/cli.ts';
import { readReplica } from '../support/core.ts';
import { startTestSandbox, type SandboxFixture } from '../support/sandbox.ts';
import { waitFor } from '../support/wait-for.ts';

const key = 'ork_synccli1.sync-cli-relay-secret-0123';
const admin = 'sync-cli-relay-admin';
const secret = 'whsec_sync_cli';
let dir: string;
let relay: RelayHandle;
let sandbox: SandboxFixture;
let channel: { id: string; ingressUrl: string; deviceToken: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sync-cli-relay-'));
  relay = await startRelay({ port: 0, store: join(dir, 'relay.db'), adminToken: admin });
  const res = await fetch(`${relay.url}/v1/channels`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: '{}' });
  channel = (await res.json()) as typeof channel;
  sandbox = await startTestSandbox({ dir, keys: [key], seed: 'demo', webhook: { url: channel.ingressUrl, secret, retryBaseMs: 20 } });
});
afterAll(async () => {
  await sandbox?.close();
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
});

it('streams webhooks into the replica and stops cleanly on SIGTERM', async () => {
  const db = join(dir, 'replica.db');
  const child = spawnCli(['sync', '--api', sandbox.url, '--key', key, '--db', db, '--relay', `${relay.url}/v1/channels/${channel.id}`, '--relay-token', channel.deviceToken, '--webhook-secret', 'whsec_old', '--webhook-secret', secret], { timeoutMs: 120_000 });
  try {
    await child.waitForOutput(/relay open/, 'the relay link to open', 60_000);
    expect((await sandbox.admin('POST', '/_sandbox/webhook/test', {})).status).toBe(202);
    // Read as another process would; the table may not exist yet while the replica is being made.
    const applied = (): boolean => {
      try {
        return readReplica(db, (r) => Boolean(r.prepare("SELECT 1 FROM inbox WHERE event = 'webhook.test'").get()));
      } catch {
        return false;
      }
    };
    await waitFor(applied, `webhook.test applied by the CLI (output: ${child.stdout()}${child.stderr()})`, 60_000);
  } finally {
    expect((await child.stop('SIGTERM')).code).toBe(0);
  }
});

it('refuses --relay without a webhook secret (exit 2)', async () => {
  const r = await runCli(['sync', '--api', sandbox.url, '--key', key, '--db', join(dir, 'x.db'), '--relay', `${relay.url}/v1/channels/${channel.id}`, '--relay-token', channel.deviceToken]);
  expect(r.code).toBe(2);
});
