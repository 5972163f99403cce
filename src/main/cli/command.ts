/**
 * The desktop CLI's command plumbing is the one the relay's own entry point uses too
 * (src/shared/node/command-line.ts), so `orkestr-console relay` and `node src/relay/main.ts` parse,
 * answer --help and exit alike.
 */
export * from '../../shared/node/command-line.ts';
