import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  /** Connection URL of a database that belongs to this caller alone. */
  url: string;
  stop(): Promise<void>;
  /**
   * Throwaway cluster only: `pg_ctl stop|start|restart -m fast` on the same port and data, for tests
   * of a database outage or restart (with ORKESTR_TEST_PG_URL set it throws: that server is not ours).
   */
  serverCtl(action: 'stop' | 'start' | 'restart'): Promise<void>;
}

/**
 * A PostgreSQL database for one test file.
 *
 * - `ORKESTR_TEST_PG_URL` set (e.g. a CI service): creates a fresh database in that server, dropped on stop.
 * - Otherwise: a throwaway cluster (initdb into a temp dir, pg_ctl start on a free loopback port, socket in
 *   the temp dir), run as the `postgres` OS user when this process is root, removed on stop.
 *
 * No PostgreSQL installed → throws with instructions (the tests fail rather than skip).
 */
export async function getTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const external = process.env['ORKESTR_TEST_PG_URL'];
  if (external) return freshDatabase(external);
  return throwawayCluster(options.durable ?? false);
}

async function freshDatabase(serverUrl: string): Promise<TestPostgres> {
  const name = `orkestr_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async serverCtl() {
      throw new Error('serverCtl needs the throwaway cluster: unset ORKESTR_TEST_PG_URL');
    },
    async stop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function findBinDir(): Promise<string> {
  const candidates: string[] = [];
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    candidates.push(stdout.trim());
  } catch {
    // pg_config missing or not on PATH
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  for (const dir of candidates) if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  throw new Error(
    'PostgreSQL server binaries not found (looked at `pg_config --bindir` and /usr/lib/postgresql/*/bin). ' +
      'Install them (Debian: `apt-get install -y postgresql`) or set ORKESTR_TEST_PG_URL=postgres://user:pass@host:port/db.',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `durable: false` (tests) turns fsync off for speed; benchmarks keep it on. */
async function throwawayCluster(durable: boolean): Promise<TestPostgres> {
  const bin = await findBinDir();
  const dir = await mkdtemp(join(tmpdir(), 'orkestr-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: hand the directory to the postgres user and run as it.
  const exec = async (cmd: string, args: string[]): Promise<void> => {
    const file = join(bin, cmd);
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 });
    else await run(file, args, { timeout: 60_000 });
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('running as root but there is no `postgres` OS user to own the test cluster');
    });
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as Error).message}`);
  }
  let port = 0;
  let started = false;
  const serverArgs = (action: 'start' | 'restart'): string[] => [
    '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', ...(action === 'restart' ? ['-m', 'fast'] : []),
    '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} ${durable ? '' : '-c fsync=off -c full_page_writes=off '}-c max_connections=200`,
    action,
  ];
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort();
    try {
      await exec('pg_ctl', serverArgs('start'));
      started = true;
    } catch (error) {
      if (attempt === 4) {
        const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
        await rm(dir, { recursive: true, force: true });
        throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${log.slice(-2000)}`);
      }
    }
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async serverCtl(action) {
      if (action === 'stop') await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      else await exec('pg_ctl', serverArgs(action));
    },
    async stop() {
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch (error) {
        // Already stopped (a test may stop it itself) is fine; a cluster still running is not.
        if (existsSync(join(data, 'postmaster.pid'))) throw error;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
