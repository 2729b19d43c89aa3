#!/usr/bin/env bash
# Runs the test suite on another Node (an extracted Node distribution): addon built with its headers, then rebuilt for the default Node.
set -euo pipefail
usage='usage: npm run test:node -- <node-dir> [vitest arguments]   (<node-dir> holds bin/node and include/node)'
root=${1:?$usage}
shift
root=$(cd "$root" && pwd)
if [ ! -x "$root/bin/node" ] || [ ! -d "$root/include/node" ]; then
  echo "$usage" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
default_path=$PATH
restore() {
  echo "test-on-node: rebuilding the native addon for the default Node ($(PATH=$default_path node --version))"
  PATH=$default_path node scripts/build-native.mjs >/dev/null
}
trap restore EXIT
export PATH="$root/bin:$PATH"
echo "test-on-node: Node $(node --version) from $root"
# node-gyp compiles against this Node's headers instead of downloading them.
npm_config_nodedir="$root" node scripts/build-native.mjs >/dev/null
node node_modules/typescript/bin/tsc -p tsconfig.build.json
node node_modules/vitest/vitest.mjs run "$@"
