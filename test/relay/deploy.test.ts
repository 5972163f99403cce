/**
 * The deployment guide (docs/relay.md), as written: its PostgreSQL role/database block runs on a real
 * cluster and a relay process runs on that role with no secret on its command line.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, spawnCli } from '../support/cli.ts';
import { getTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { adminToken, postWebhook } from './helpers.ts';

/** The SQL block of docs/relay.md that starts with the `-- relay-database-setup` line. */
function setupSqlFromDocs(): string {
  const doc = readFileSync(join(repoRoot, 'docs', 'relay.md'), 'utf8');
  const m = /```sql\n(-- relay-database-setup[^\n]*\n[\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/relay.md has no ```sql block starting with "-- relay-database-setup"');
  return m[1]!;
}

describe('deploying the relay on PostgreSQL as docs/relay.md says', () => {
  let pgServer: TestPostgres;
  const password = randomBytes(12).toString('base64url');
  let roleUrl: string;

  beforeAll(async () => {
    pgServer = await getTestPostgres();
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    try {
      // One statement at a time: CREATE DATABASE cannot run inside the implicit transaction of a multi-statement query.
      for (const statement of setupSqlFromDocs().replace("'change-me'", `'${password}'`).split(';').map((x) => x.trim()).filter((x) => x.replace(/--[^\n]*/g, '').trim() !== '')) {
        await admin.query(statement);
      }
    } finally {
      await admin.end();
    }
    const url = new URL(pgServer.url);
    url.username = 'orkestr_relay';
    url.pathname = '/orkestr_relay';
    roleUrl = url.toString();
  });

  afterAll(async () => {
    await pgServer?.stop();
  });

  it('runs on the role that owns its database, with the password and token only in the environment', { timeout: 120_000 }, async () => {
    const relay = spawnCli(['relay', '--port', '0', '--public-url', 'https://relay.example.test'], {
      env: { ORKESTR_RELAY_STORE: roleUrl, PGPASSWORD: password, ORKESTR_RELAY_ADMIN_TOKEN: adminToken },
      timeoutMs: 120_000,
    });
    try {
      const url = (await relay.waitForOutput(/relay listening at (http:\/\/\S+)/, 'the relay to listen', 60_000))[1]!;
      // What `ps` shows every local user.
      const commandLine = readFileSync(`/proc/${relay.pid}/cmdline`, 'utf8');
      expect(commandLine).not.toContain(password);
      expect(commandLine).not.toContain(adminToken);
      expect(relay.stderr()).not.toContain('secret_on_command_line');

      // It created its tables as that role (no superuser) and works.
      const created = await fetch(`${url}/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
      expect(created.status).toBe(201);
      const channel = (await created.json()) as { id: string; ingressUrl: string };
      expect(channel.ingressUrl).toBe(`https://relay.example.test/in/${channel.id}`);
      expect((await postWebhook(`${url}/in/${channel.id}`, '{"deployed":true}', 'dlv_deploy')).status).toBe(202);
      const inRelayDb = new URL(pgServer.url);
      inRelayDb.pathname = '/orkestr_relay';
      const owner = new pg.Client({ connectionString: inRelayDb.toString() });
      await owner.connect();
      try {
        const tables = await owner.query<{ tableowner: string }>("SELECT tableowner FROM pg_tables WHERE tablename = 'relay_events'");
        expect(tables.rows).toEqual([{ tableowner: 'orkestr_relay' }]);
      } finally {
        await owner.end();
      }
    } finally {
      await relay.stop();
    }
  });

  it('warns at start when a secret is on the command line', { timeout: 120_000 }, async () => {
    const withPassword = new URL(roleUrl);
    withPassword.password = password;
    const relay = spawnCli(['relay', '--port', '0', '--store', withPassword.toString(), '--admin-token', adminToken], { env: { ORKESTR_RELAY_ADMIN_TOKEN: '' }, timeoutMs: 120_000 });
    try {
      await relay.waitForOutput(/relay listening at/, 'the relay to listen', 60_000);
      const warnings = relay
        .stderr()
        .split('\n')
        .filter((line) => line.includes('"secret_on_command_line"'))
        .map((line) => JSON.parse(line) as { level: string; option: string });
      expect(warnings.map((w) => [w.level, w.option])).toEqual([
        ['warn', '--store'],
        ['warn', '--admin-token'],
      ]);
      expect(relay.stderr()).not.toContain(password);
    } finally {
      await relay.stop();
    }
  });
});
