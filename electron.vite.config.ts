import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// The Electron shell is thin: main and preload bundles for the window; the core, sandbox and relay
// are bundled into main too so the packaged app needs no TypeScript at run time.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The engine (the core in its own utilityProcess) is a second entry beside the shell.
        input: { index: resolve(import.meta.dirname, 'src/main/index.ts'), 'engine-host': resolve(import.meta.dirname, 'src/main/engine/host.ts') },
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
    plugins: [react()],
    build: {
      minify: true,
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
