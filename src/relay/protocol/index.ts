/**
 * The relay protocol: what the relay server and the console core's relay link share, and all they
 * share besides src/shared. The server imports the frames; the core imports the client.
 */
export { connectRelayStream, type RelayEvent, type RelayGap, type RelayStream, type RelayStreamOptions, type RelayStreamStatus } from './client.ts';
export { ackFrame, closeCodes, parseClientFrame, parseServerFrame, streamPath, streamPathPattern, type ClientFrame, type EventFrame, type ServerFrame } from './frames.ts';
