import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startBridge } from '../../bridge/bridge.ts';
import { CalendarWorker, createFeedHandler } from '../../core/index.ts';
import { defaultDataDir, packageRoot, startConsole } from '../../app.ts';
import { EngineSupervisor, forkNodeEngine } from '../../engine/supervisor.ts';
import { UsageError, integerOption, stringOption, untilSignal, type Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the console core and serve the console UI to a browser on 127.0.0.1 (with an access token).',
  usage: 'serve [--db FILE] [--api URL --key KEY | --demo] [--port P] [--live SECONDS] [--engine process|inline]\n\n' +
    '  --db FILE       the replica (SQLite); default: <data dir>/replica.db\n' +
    '  --api URL       Orkestr API base, e.g. https://api.orkestr.in (with --key)\n' +
    '  --key KEY       API key ork_<prefix>.<secret>\n' +
    '  --demo          the tenant connected in Settings, else the built-in demo tenant (a local Orkestr\n' +
    '                  sandbox in live mode); the same as giving neither --api nor --demo\n' +
    '  --port P        port on 127.0.0.1 (default: any free port)\n' +
    '  --live SECONDS  demo only: seconds between simulated customer events (default 20, 0 = off)\n' +
    '  --engine MODE   process (default): the core runs in its own process, restarted if it crashes;\n' +
    '                  inline: in this process (simpler to debug, no crash recovery)\n' +
    '  --verbose       log the sandbox, relay and sync events to stderr',
  options: {
    db: { type: 'string' },
    api: { type: 'string' },
    key: { type: 'string' },
    demo: { type: 'boolean' },
    port: { type: 'string' },
    live: { type: 'string' },
    engine: { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(args) {
    const apiUrl = stringOption(args, 'api');
    const key = stringOption(args, 'key') ?? process.env['ORKESTR_API_KEY'];
    const demo = args.values['demo'] === true;
    if (demo && apiUrl) throw new UsageError('use either --demo or --api/--key, not both');
    if (apiUrl && !key) throw new UsageError('--api needs --key (or ORKESTR_API_KEY)');
    const port = integerOption(args, 'port', 0, 0, 65535);
    const live = integerOption(args, 'live', 20, 0, 86400);
    const dbFile = stringOption(args, 'db') ?? join(defaultDataDir(), 'replica.db');
    const engineMode = stringOption(args, 'engine') ?? 'process';
    if (engineMode !== 'process' && engineMode !== 'inline') throw new UsageError(`--engine must be process or inline, not "${engineMode}"`);
    const verbose = args.values['verbose'] === true;
    const log = verbose ? (line: string) => console.error(line) : () => {};
    const api = apiUrl && key ? { api: { url: apiUrl, key } } : {};
    const staticDir = join(packageRoot(), 'out', 'renderer');
    if (!existsSync(join(staticDir, 'index.html'))) console.error('The console UI is not built yet; run `npm run build` (npm start does it for you).');

    let host: Parameters<typeof startBridge>[0]['host'];
    let feedDb: Database.Database | null = null;
    let mode: 'demo' | 'connected';
    let shownUrl: string | null | undefined = apiUrl;
    let stop: () => Promise<void>;
    if (engineMode === 'process') {
      const supervisor = new EngineSupervisor({
        spawn: () => forkNodeEngine(),
        start: { dbFile, ...api, transport: 'bridge', demoLiveSeconds: live, verbose },
        log: (line) => console.error(line),
      });
      await supervisor.start();
      host = supervisor;
      mode = supervisor.mode;
      shownUrl ??= supervisor.session?.apiUrl;
      // Calendar apps poll feeds here: a read-only connection of our own, so a feed request never
      // waits on the engine's process (WAL lets it read while the engine writes).
      feedDb = new Database(dbFile, { readonly: true, fileMustExist: true });
      stop = () => supervisor.close();
    } else {
      const running = await startConsole({ dbFile, ...api, transport: 'bridge', demoLiveSeconds: live, log });
      host = running.core;
      mode = running.mode;
      shownUrl ??= running.core.session().apiUrl;
      feedDb = running.core.replica.sqlite;
      stop = () => running.close();
    }
    // Feeds render in a worker thread: a 100k-event feed never holds the loop that serves the console.
    const calendar = new CalendarWorker(dbFile);
    const bridge = await startBridge({ host, staticDir, port, log, routes: createFeedHandler(feedDb, { worker: calendar }) });
    console.log(`Orkestr Console (${mode === 'demo' ? 'demo tenant' : (shownUrl ?? 'not connected')}) at ${bridge.openUrl}`);
    const signal = await untilSignal();
    console.error(`${signal}: shutting down`);
    await bridge.close();
    await calendar.close();
    if (engineMode === 'process') feedDb.close();
    await stop();
    return 0;
  },
};
