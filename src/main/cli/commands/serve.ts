import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge } from '../../bridge/bridge.ts';
import { createFeedHandler } from '../../core/calendar/index.ts';
import { defaultDataDir, packageRoot, startConsole } from '../../app.ts';
import { UsageError, integerOption, stringOption, untilSignal, type Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the console core and serve the console UI to a browser on 127.0.0.1 (with an access token).',
  usage: 'serve [--db FILE] (--api URL --key KEY | --demo) [--port P] [--live SECONDS]\n\n' +
    '  --db FILE       the replica (SQLite); default: <data dir>/replica.db\n' +
    '  --api URL       Orkestr API base, e.g. https://api.orkestr.in (with --key)\n' +
    '  --key KEY       API key ork_<prefix>.<secret>\n' +
    '  --demo          use the built-in demo tenant (a local Orkestr sandbox in live mode)\n' +
    '  --port P        port on 127.0.0.1 (default: any free port)\n' +
    '  --live SECONDS  demo only: seconds between simulated customer events (default 20, 0 = off)\n' +
    '  --verbose       log the sandbox, relay and sync events to stderr',
  options: {
    db: { type: 'string' },
    api: { type: 'string' },
    key: { type: 'string' },
    demo: { type: 'boolean' },
    port: { type: 'string' },
    live: { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(args) {
    const apiUrl = stringOption(args, 'api');
    const key = stringOption(args, 'key') ?? process.env['ORKESTR_API_KEY'];
    const demo = args.values['demo'] === true;
    if (demo && apiUrl) throw new UsageError('use either --demo or --api/--key, not both');
    if (!demo && !apiUrl) throw new UsageError('give --api URL --key KEY, or --demo');
    if (apiUrl && !key) throw new UsageError('--api needs --key (or ORKESTR_API_KEY)');
    const port = integerOption(args, 'port', 0, 0, 65535);
    const live = integerOption(args, 'live', 20, 0, 86400);
    const dbFile = stringOption(args, 'db') ?? join(defaultDataDir(), 'replica.db');
    const log = args.values['verbose'] === true ? (line: string) => console.error(line) : () => {};

    const running = await startConsole({
      dbFile,
      ...(apiUrl && key ? { api: { url: apiUrl, key } } : {}),
      transport: 'bridge',
      demoLiveSeconds: live,
      log,
    });
    const staticDir = join(packageRoot(), 'out', 'renderer');
    if (!existsSync(join(staticDir, 'index.html'))) console.error('The console UI is not built yet; run `npm run build` (npm start does it for you).');
    const bridge = await startBridge({ host: running.core, staticDir, port, log, routes: createFeedHandler(running.core.replica) });
    console.log(`Orkestr Console (${running.mode === 'demo' ? 'demo tenant' : apiUrl}) at ${bridge.openUrl}`);
    const signal = await untilSignal();
    console.error(`${signal}: shutting down`);
    await bridge.close();
    await running.close();
    return 0;
  },
};
