#!/usr/bin/env bash
# Runs the test suite on another Node (an extracted Node distribution) in a scratch copy of the tree, with the addon built there for it.
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
repo=$(pwd)
version=$("$root/bin/node" --version)
# The copy has its own build/ and dist/, so this tree's addon (built for the default Node) is never touched and
# a run here can go on at the same time. TEST_ON_NODE_KEEP=1 keeps the copy for a look afterwards.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-node-${version}.XXXXXX")
cleanup() {
  if [ "${TEST_ON_NODE_KEEP:-}" = 1 ]; then
    echo "test-on-node: kept $scratch"
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT
tar -c --exclude=./node_modules --exclude=./build --exclude=./dist --exclude=./.git . | tar -x -C "$scratch"
ln -s "$repo/node_modules" "$scratch/node_modules"
cd "$scratch"
export PATH="$root/bin:$PATH"
echo "test-on-node: Node $version from $root, in $scratch"
# node-gyp compiles against this Node's headers instead of downloading them; a failed build fails the run.
npm_config_nodedir="$root" node node_modules/node-gyp/bin/node-gyp.js rebuild >build-native.log 2>&1 ||
  { cat build-native.log >&2; echo "test-on-node: the native addon did not build for Node $version" >&2; exit 1; }
node -e "const a = require('./build/Release/portcullis_native.node'); console.log('test-on-node: addon built, ABI', a.ABI)"
node node_modules/typescript/bin/tsc -p tsconfig.build.json
node node_modules/vitest/vitest.mjs run "$@"
