/** The contract's session, settings and engine methods. */
import { ContractError } from '../../../shared/contract/types.ts';
import type { ContractHandlers } from '../../../shared/contract/schemas.ts';
import type { CoreContext } from '../context.ts';
import { writeSettings } from './store.ts';

export type SettingsMethod =
  | 'session.info'
  | 'engine.status'
  | 'engine.restart'
  | 'settings.get'
  | 'settings.set'
  | 'settings.connect'
  | 'settings.connectRelay'
  | 'settings.disconnectRelay'
  | 'settings.useDemo';

const inProcessEngine = { supervised: false, state: 'running', restarts: 0, lastCrash: null } as const;

export function settingsHandlers(ctx: CoreContext): Pick<ContractHandlers, SettingsMethod> {
  const { session } = ctx;
  return {
    'session.info': () => session.session(),
    // In this process the core is not supervised; the shell's supervisor answers these itself.
    'engine.status': () => inProcessEngine,
    'engine.restart': () => {
      throw new ContractError('BAD_INPUT', 'The engine runs inside this process; restart the console instead.');
    },
    'settings.get': () => session.settings(),
    'settings.set': (i) => {
      writeSettings(ctx.replica, i);
      if (i.retainPastDays !== undefined) void ctx.pruner.kick();
      return session.settings();
    },
    'settings.connect': (i) => session.connect(i.apiUrl, i.apiKey, 'connected', i.keep),
    'settings.connectRelay': (i) => session.connectRelay(i),
    'settings.disconnectRelay': () => session.disconnectRelay(),
    'settings.useDemo': async () => {
      const { demo } = ctx.options;
      if (!demo) throw new ContractError('UNAVAILABLE', 'The demo sandbox is not available in this build.');
      const { url, key } = await demo();
      return session.connect(url, key, 'demo');
    },
  };
}
