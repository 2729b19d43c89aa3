#!/usr/bin/env bash
# Builds the libFuzzer harness with ASan+UBSan and runs it for FUZZ_SECONDS (default 60); crashers land in regressions/.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${FUZZ_SECONDS:-60}"
max_len="${FUZZ_MAX_LEN:-4096}"
cxx="${FUZZ_CXX:-}"
if [[ -z "$cxx" ]]; then
  for c in clang++ clang++-18 clang++-17 clang++-16 clang++-15 clang++-14; do
    if command -v "$c" >/dev/null 2>&1; then cxx="$c"; break; fi
  done
fi
if [[ -z "$cxx" ]]; then
  echo "native/fuzz/run.sh: clang++ not found (Debian: apt-get install clang libclang-rt-dev, or clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

includes=(-Inative/src)
node_include="$(dirname "$(dirname "$(command -v node)")")/include/node"
[[ -f "$node_include/openssl/sha.h" ]] && includes+=("-I$node_include")
libcrypto=(-lcrypto)
if ! echo 'int main(){return 0;}' | "$cxx" -x c++ - -o /dev/null -lcrypto >/dev/null 2>&1; then
  libcrypto=("$(ldconfig -p | awk '/libcrypto\.so\.3 / {print $NF; exit}')")
fi

out=native/fuzz/out
work=native/fuzz/corpus-work
mkdir -p "$out" "$work" native/fuzz/regressions
"$cxx" -std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -DOPENSSL_SUPPRESS_DEPRECATED "${includes[@]}" native/fuzz/fuzz_verify.cc native/src/jwt_core.cc native/src/first_request.cc native/src/claim_scan.cc native/src/token_check.cc \
  -o "$out/fuzz_verify" "${libcrypto[@]}"

# New inputs go to the (ignored) work corpus; the committed seeds are read only. A crasher is written to
# regressions/, which native/test/run.sh replays: commit it with the fix.
"$out/fuzz_verify" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
  -artifact_prefix=native/fuzz/regressions/ "$work" native/fuzz/corpus
