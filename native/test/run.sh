#!/usr/bin/env bash
# Builds and runs the pure C++ core tests without Node's runtime; --sanitize builds them with ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/../.."

sanitize=0
[[ "${1:-}" == "--sanitize" ]] && sanitize=1
CXX="${CXX:-g++}"
out=build/native-test
mkdir -p "$out"

# OpenSSL headers: Node's own (what the addon compiles against), else the system's.
node_include=""
if command -v node >/dev/null 2>&1; then
  node_include="$(dirname "$(dirname "$(command -v node)")")/include/node"
fi
includes=(-Inative/src)
if [[ -n "$node_include" && -f "$node_include/openssl/sha.h" ]]; then
  includes+=("-I$node_include")
elif [[ ! -f /usr/include/openssl/sha.h ]]; then
  echo "native/test/run.sh: no OpenSSL headers (neither Node's include/node/openssl nor libssl-dev)" >&2
  exit 2
fi

# libcrypto: the dev symlink when present, else the runtime library itself (libssl3 is on any Debian).
libcrypto=(-lcrypto)
if ! echo 'int main(){return 0;}' | "$CXX" -x c++ - -o "$out/.probe" -lcrypto >/dev/null 2>&1; then
  so="$(ldconfig -p 2>/dev/null | awk '/libcrypto\.so\.3 .*x86-64|libcrypto\.so\.3 .*aarch64|libcrypto\.so\.3 / {print $NF; exit}')"
  if [[ -z "$so" ]]; then
    echo "native/test/run.sh: libcrypto not found (install libssl-dev or libssl3)" >&2
    exit 2
  fi
  libcrypto=("$so")
fi

flags=(-std=c++17 -Wall -Wextra -DOPENSSL_SUPPRESS_DEPRECATED)
bin="$out/jwt_core_test"
if [[ $sanitize == 1 ]]; then
  flags+=(-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
  bin="$out/jwt_core_test_sanitized"
else
  flags+=(-O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2)
fi

"$CXX" "${flags[@]}" "${includes[@]}" native/test/jwt_core_test.cc native/src/jwt_core.cc native/src/claim_scan.cc native/src/token_check.cc native/src/shared_listen.cc native/src/peer_addresses.cc native/src/loop_data.cc native/src/first_request.cc native/fuzz/fuzz_verify.cc \
  -o "$bin" "${libcrypto[@]}"
"$bin" native/fuzz
