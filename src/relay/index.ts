/** The webhook relay, a separate deployable (see docs/relay.md): what the desktop app and the tests start. Its device stream client is in ./protocol. */
export { startRelay, type RelayHandle, type RelayOptions } from './server.ts';
export { openStore, isPostgresUrl } from './open-store.ts';
export type { RelayStore } from './store.ts';
