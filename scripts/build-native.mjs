// Builds the optional native addon with node-gyp; a failed build is reported, never fatal.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

if (!existsSync('binding.gyp')) process.exit(0);
if (process.env.PORTCULLIS_SKIP_NATIVE === '1') {
  console.log('portcullis: PORTCULLIS_SKIP_NATIVE=1, native addon not built (node:crypto path will be used)');
  process.exit(0);
}
const require = createRequire(import.meta.url);
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  const npmDir = process.env.npm_execpath ? new URL('.', `file://${process.env.npm_execpath}`).pathname : '';
  const bundled = `${npmDir}../node_modules/node-gyp/bin/node-gyp.js`;
  gyp = existsSync(bundled) ? bundled : null;
}
const args = gyp ? [gyp, 'rebuild'] : null;
const result = args
  ? spawnSync(process.execPath, args, { stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: true });
if (result.status !== 0) {
  console.warn('portcullis: native addon build FAILED; the gateway will use the slower node:crypto HMAC path');
}
