// Proves decoded JWT payload bytes are a JSON object and finds its key claim without building anything: claim-scan.ts
// in C++.
#ifndef PORTCULLIS_CLAIM_SCAN_H_
#define PORTCULLIS_CLAIM_SCAN_H_

#include <cstddef>
#include <cstdint>

namespace portcullis {

enum class ClaimScan : int {
  // Not sure: the caller must let JSON.parse decide (invalid JSON, a byte >= 0x80, an escape in a top-level name or in
  // the claim's value, a non-string claim, a payload that is not an object, nesting deeper than kMaxScanDepth).
  kUnsure = -1,
  // A JSON object without the claim.
  kAbsent = 0,
  // A JSON object whose last member of that name is a string without escapes: [*value_start, *value_start +
  // *value_length).
  kFound = 1,
};

// Deeper nesting than this is left to JSON.parse, as in claim-scan.ts.
constexpr int kMaxScanDepth = 32;

// Scans bytes[0, length) for the top-level member `name` (plain ASCII, name_length bytes). The rules are
// src/auth/claim-scan.ts's, byte for byte: the scan only ever answers kUnsure where JSON.parse might differ, and the
// TypeScript fuzzer holds both to JSON.parse's verdict. No recursion deeper than kMaxScanDepth; never reads past
// length.
ClaimScan ScanKeyClaim(const uint8_t* bytes, size_t length, const char* name, size_t name_length, size_t* value_start,
                       size_t* value_length);

}  // namespace portcullis

#endif  // PORTCULLIS_CLAIM_SCAN_H_
