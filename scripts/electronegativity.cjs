// Runs the Electronegativity scanner over src/ and fails on any HIGH or MEDIUM finding (the tool
// itself always exits 0). Offline: the scanner fetches translations and Electron's release list from
// GitHub, which our machines cannot reach, and its HTTP client crashes on Node 24 when a request
// times out. We hand it an HTTP client that fails at once, which it already treats as "no
// connectivity" (it then skips only the released-version advisory check).
'use strict';
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const toolDir = join(__dirname, '..', 'node_modules', '@doyensec', 'electronegativity');
const gotPath = require.resolve('got', { paths: [toolDir] });
const offline = () => Promise.reject(new Error('offline: no network on this machine'));
offline.head = offline;
offline.get = offline;
require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline };

const electronVersion = require('electron/package.json').version;
const report = join(mkdtempSync(join(tmpdir(), 'electronegativity-')), 'report.csv');
process.argv = [process.argv[0], 'electronegativity', '-i', join(__dirname, '..', 'src'), '-e', electronVersion, '-r', '-o', report];

const originalExit = process.exit;
let finished = false;
process.on('beforeExit', () => {
  if (finished) return;
  finished = true;
  const rows = readFileSync(report, 'utf8').trim().split('\n').slice(1);
  const serious = rows.filter((row) => /^[A-Z_]+,"(HIGH|MEDIUM)"/.test(row));
  console.log(`electronegativity: ${rows.length} finding(s), ${serious.length} high or medium`);
  for (const row of serious) console.log(`  ${row}`);
  originalExit(serious.length === 0 ? 0 : 1);
});
require(join(toolDir, 'dist', 'index.js'));
