import { describe, expect, it } from 'vitest';
import type { SessionInfo, SyncStatus } from '../../../shared/contract/types.ts';
import { liveState } from './app.ts';

const session = { live: true } as SessionInfo;
const sync = (connection: SyncStatus['connection']) => ({ connection }) as SyncStatus;

describe('liveState: the queue subtitle and the status bar agree', () => {
  it('is live only when the core is reachable, the session is live and sync is not offline/error/paused', () => {
    expect(liveState({ session, sync: sync('online'), transport: 'ok' })).toBe('live');
    expect(liveState({ session, sync: sync('syncing'), transport: 'ok' })).toBe('live');
    expect(liveState({ session, sync: sync('offline'), transport: 'ok' })).toBe('offline');
    expect(liveState({ session, sync: sync('error'), transport: 'ok' })).toBe('error');
    expect(liveState({ session, sync: sync('paused'), transport: 'ok' })).toBe('paused');
    expect(liveState({ session, sync: sync('online'), transport: 'lost' })).toBe('coreLost');
    expect(liveState({ session: { ...session, live: false }, sync: sync('online'), transport: 'ok' })).toBe('notLive');
    expect(liveState({ session: null, sync: null, transport: 'ok' })).toBe('notLive');
  });
});
