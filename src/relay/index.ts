/** The webhook relay: a separate deployable (see docs/relay.md) plus its device stream client. */
export { startRelay, parseDuration, parseSize, type RelayHandle, type RelayOptions } from './server.ts';
export { connectRelayStream, type RelayEvent, type RelayGap, type RelayStream, type RelayStreamOptions, type RelayStreamStatus } from './client.ts';
export { openStore, isPostgresUrl, type RelayStore } from './store.ts';
