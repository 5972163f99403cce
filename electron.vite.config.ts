import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { rendererCsp } from './src/shared/csp.ts';

/**
 * Puts the renderer's Content-Security-Policy (src/shared/csp.ts, the same function behind the
 * Electron session's and the bridge's headers) into the built index.html, right after the charset and
 * before any script: a file:// page gets its policy only this way. Build only: the dev server's React
 * refresh preamble is an inline script.
 */
function cspMetaTag(): Plugin {
  const charset = '<meta charset="UTF-8" />';
  return {
    name: 'orkestr-csp-meta',
    apply: 'build',
    transformIndexHtml(html) {
      const csp = rendererCsp({ meta: true });
      if (!html.includes(charset) || csp.includes('"')) throw new Error(`csp-meta: index.html needs ${charset}, and the policy no double quote`);
      return html.replace(charset, `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
    },
  };
}

/**
 * Fetches the app's chunk (src/renderer/src/boot.tsx) with the page: the small entry sends the queue's
 * first call and only then imports the app (main.tsx says why), so without this the app's 580 kB
 * would be asked for after the call, and where a server answers both (the loopback bridge) they
 * would wait behind the core's answer instead of being parsed while the core works.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'orkestr-preload-app-chunk',
    apply: 'build',
    transformIndexHtml(html, ctx) {
      const boot = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.name === 'boot');
      if (!boot) throw new Error('preload-app-chunk: no chunk named boot (src/renderer/src/boot.tsx, imported by main.tsx)');
      return { html, tags: [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${boot.fileName}` }, injectTo: 'head' }] };
    },
  };
}

// The Electron shell is thin: main and preload bundles for the window; the core, sandbox and relay
// are bundled into main too so the packaged app needs no TypeScript at run time.
export default defineConfig({
  main: {
    resolve: {
      // The built engine bundles kysely into its own chunk instead of looking for the one-file copy
      // that `npm install` makes for the TypeScript sources (src/main/core/db/query-builder.ts).
      alias: [{ find: /^\.\/query-builder\.ts$/, replacement: resolve(import.meta.dirname, 'src/main/core/db/query-builder.bundled.ts') }],
    },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The engine (the core in its own utilityProcess) is a second entry beside the shell.
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          'engine-host': resolve(import.meta.dirname, 'src/main/engine/host.ts'),
          // The calendar's worker thread (src/main/core/calendar/render-worker.ts starts it by this name).
          'calendar-worker': resolve(import.meta.dirname, 'src/main/core/calendar/worker.ts'),
          // The pull's apply worker (src/main/core/sync/apply-host.ts starts it by this name).
          'sync-apply-worker': resolve(import.meta.dirname, 'src/main/core/sync/apply-worker.ts'),
        },
        external: ['better-sqlite3', 'electron'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [react(), cspMetaTag(), preloadAppChunk()],
    build: {
      minify: true,
      // One stylesheet in the page's head, as before the app became a chunk of its own: a chunk's
      // own CSS would be fetched when it is imported, and the import waits for it.
      cssCodeSplit: false,
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
