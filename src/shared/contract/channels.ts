/**
 * Names shared by the Electron transport's two ends. Kept apart from contract.ts so the sandboxed
 * preload bundles these few strings and not the schema library.
 */
export const ipcChannels = { call: 'orkestr:call', event: 'orkestr:event' } as const;

export const eventNameList = ['sync.status', 'data.changed', 'activity.new', 'queue.new', 'session.changed', 'import.progress', 'engine.status'] as const;
