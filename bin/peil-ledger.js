#!/usr/bin/env node
// The `peil-ledger` command (package.json "bin"): runs the compiled CLI from dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'apps', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('peil-ledger: dist/ is missing; run `npm run build` (or `npm start`, which builds) first\n');
  process.exit(2);
}
require(cli);
