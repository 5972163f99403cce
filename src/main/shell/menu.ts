/**
 * The application menu as plain data (turned into an Electron Menu in index.ts), so its shortcuts
 * are unit-tested and match the renderer's: screen shortcuts navigate by hash route; the keys the
 * page handles itself (j/k/a/d/r/x, ⌘K, ?) are shown in the menu but left to the page.
 */
export interface MenuEntry {
  label: string;
  accelerator?: string;
  /** Shown in the menu but not captured, so the key still reaches the page. */
  passToPage?: boolean;
  /** Renderer hash route to open. */
  route?: string;
  /** Key to send to the page when the entry is clicked. */
  key?: { keyCode: string; modifiers: Array<'control' | 'meta' | 'shift'> };
  role?: 'quit' | 'reload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'copy' | 'paste' | 'cut' | 'selectAll' | 'undo' | 'redo' | 'about';
  separator?: boolean;
}

export interface MenuSection {
  label: string;
  entries: MenuEntry[];
}

export function menuSections(platform: NodeJS.Platform, dev: boolean): MenuSection[] {
  const mac = platform === 'darwin';
  const palette = mac ? ['meta' as const] : ['control' as const];
  return [
    { label: 'File', entries: [{ label: mac ? 'Quit Orkestr Console' : 'Quit', role: 'quit' }] },
    { label: 'Edit', entries: [{ label: 'Undo', role: 'undo' }, { label: 'Redo', role: 'redo' }, { label: '', separator: true }, { label: 'Cut', role: 'cut' }, { label: 'Copy', role: 'copy' }, { label: 'Paste', role: 'paste' }, { label: 'Select All', role: 'selectAll' }] },
    {
      label: 'Go',
      entries: [
        { label: 'Approval queue', accelerator: 'CmdOrCtrl+1', route: '#/queue' },
        { label: 'Needs attention', accelerator: 'CmdOrCtrl+2', route: '#/attention' },
        { label: 'Today', accelerator: 'CmdOrCtrl+3', route: '#/today' },
        { label: 'Bookings', accelerator: 'CmdOrCtrl+4', route: '#/bookings' },
        { label: 'Catalogue', accelerator: 'CmdOrCtrl+5', route: '#/catalogue' },
        { label: 'Disputes', accelerator: 'CmdOrCtrl+6', route: '#/disputes' },
        { label: 'Activity', accelerator: 'CmdOrCtrl+7', route: '#/activity' },
        { label: 'Insights', accelerator: 'CmdOrCtrl+8', route: '#/insights' },
        { label: 'Settings', accelerator: 'CmdOrCtrl+,', route: '#/settings' },
        { label: '', separator: true },
        { label: 'Command palette', accelerator: 'CmdOrCtrl+K', passToPage: true, key: { keyCode: 'K', modifiers: palette } },
        { label: 'Keyboard shortcuts', accelerator: 'Shift+/', passToPage: true, key: { keyCode: '?', modifiers: ['shift'] } },
      ],
    },
    {
      label: 'View',
      entries: [
        { label: 'Actual size', role: 'resetZoom' },
        { label: 'Zoom in', role: 'zoomIn' },
        { label: 'Zoom out', role: 'zoomOut' },
        { label: '', separator: true },
        { label: 'Full screen', role: 'togglefullscreen' },
        ...(dev ? [{ label: 'Reload', role: 'reload' as const }, { label: 'Developer tools', role: 'toggleDevTools' as const }] : []),
      ],
    },
  ];
}
