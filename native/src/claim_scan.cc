// The key-claim scan (claim_scan.h): JSON's grammar as JSON.parse reads it, over bytes, answering kUnsure on any doubt.
#include "claim_scan.h"

#include <cstring>

namespace portcullis {
namespace {

// Every function returns the index after what it read, or kFail.
constexpr size_t kFail = static_cast<size_t>(-1);

bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

bool IsHex(uint8_t c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// JSON's four whitespace bytes (JSON.parse accepts no other).
size_t SkipSpace(const uint8_t* b, size_t i, size_t n) {
  while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
  return i;
}

// Bytes the escape whose backslash is at i spans (2 or 6), or 0 when JSON has no such escape.
size_t EscapeLength(const uint8_t* b, size_t i, size_t n) {
  if (i + 1 >= n) return 0;
  const uint8_t c = b[i + 1];
  if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') return 2;
  if (c == 'u' && i + 5 < n && IsHex(b[i + 2]) && IsHex(b[i + 3]) && IsHex(b[i + 4]) && IsHex(b[i + 5])) return 6;
  return 0;
}

// Index after the closing quote of the string opening at i (ASCII without control characters), or kFail.
// *escaped says whether it held an escape.
size_t StringEnd(const uint8_t* b, size_t i, size_t n, bool* escaped) {
  *escaped = false;
  i++;
  while (i < n) {
    const uint8_t c = b[i];
    if (c == '"') return i + 1;
    if (c < 32 || c > 127) return kFail;
    if (c == '\\') {
      const size_t length = EscapeLength(b, i, n);
      if (length == 0) return kFail;
      *escaped = true;
      i += length;
    } else {
      i++;
    }
  }
  return kFail;
}

// Index after the number starting at i (no leading zeros, no bare dot, no '+'), or kFail.
size_t NumberEnd(const uint8_t* b, size_t i, size_t n) {
  if (i < n && b[i] == '-') i++;
  if (i >= n) return kFail;
  if (b[i] == '0') {
    i++;
  } else if (IsDigit(b[i])) {
    while (i < n && IsDigit(b[i])) i++;
  } else {
    return kFail;
  }
  if (i < n && b[i] == '.') {
    i++;
    if (i >= n || !IsDigit(b[i])) return kFail;
    while (i < n && IsDigit(b[i])) i++;
  }
  if (i < n && (b[i] == 'e' || b[i] == 'E')) {
    i++;
    if (i < n && (b[i] == '+' || b[i] == '-')) i++;
    if (i >= n || !IsDigit(b[i])) return kFail;
    while (i < n && IsDigit(b[i])) i++;
  }
  return i;
}

size_t LiteralEnd(const uint8_t* b, size_t i, size_t n, const char* word) {
  const size_t length = std::strlen(word);
  if (n - i < length || std::memcmp(b + i, word, length) != 0) return kFail;
  return i + length;
}

size_t ContainerEnd(const uint8_t* b, size_t i, size_t n, int depth);

// Index after the JSON value starting at i (no leading space), or kFail.
size_t ValueEnd(const uint8_t* b, size_t i, size_t n, int depth) {
  if (i >= n) return kFail;
  const uint8_t c = b[i];
  bool escaped = false;
  if (c == '"') return StringEnd(b, i, n, &escaped);
  if (c == '{' || c == '[') return depth >= kMaxScanDepth ? kFail : ContainerEnd(b, i, n, depth + 1);
  if (c == '-' || IsDigit(c)) return NumberEnd(b, i, n);
  if (c == 't') return LiteralEnd(b, i, n, "true");
  if (c == 'f') return LiteralEnd(b, i, n, "false");
  if (c == 'n') return LiteralEnd(b, i, n, "null");
  return kFail;
}

// Index after the object or array opening at i, or kFail.
size_t ContainerEnd(const uint8_t* b, size_t i, size_t n, int depth) {
  const bool is_object = b[i] == '{';
  const uint8_t close = is_object ? '}' : ']';
  i = SkipSpace(b, i + 1, n);
  if (i < n && b[i] == close) return i + 1;
  for (;;) {
    if (is_object) {
      if (i >= n || b[i] != '"') return kFail;
      bool escaped = false;
      i = StringEnd(b, i, n, &escaped);
      if (i == kFail) return kFail;
      i = SkipSpace(b, i, n);
      if (i >= n || b[i] != ':') return kFail;
      i = SkipSpace(b, i + 1, n);
    }
    i = ValueEnd(b, i, n, depth);
    if (i == kFail) return kFail;
    i = SkipSpace(b, i, n);
    if (i >= n) return kFail;
    if (b[i] == close) return i + 1;
    if (b[i] != ',') return kFail;
    i = SkipSpace(b, i + 1, n);
  }
}

}  // namespace

ClaimScan ScanKeyClaim(const uint8_t* b, size_t n, const char* name, size_t name_length, size_t* value_start,
                       size_t* value_length) {
  size_t i = SkipSpace(b, 0, n);
  if (i >= n || b[i] != '{') return ClaimScan::kUnsure;
  // JSON.parse keeps the last of duplicate names: so does the scan.
  bool found = false;
  size_t start = 0;
  size_t stop = 0;
  i = SkipSpace(b, i + 1, n);
  if (i < n && b[i] == '}') {
    i++;
  } else {
    for (;;) {
      if (i >= n || b[i] != '"') return ClaimScan::kUnsure;
      const size_t name_start = i + 1;
      bool escaped = false;
      i = StringEnd(b, i, n, &escaped);
      // An escaped name might spell the claim's name: JSON.parse decides.
      if (i == kFail || escaped) return ClaimScan::kUnsure;
      const bool is_claim = i - 1 - name_start == name_length && std::memcmp(b + name_start, name, name_length) == 0;
      i = SkipSpace(b, i, n);
      if (i >= n || b[i] != ':') return ClaimScan::kUnsure;
      i = SkipSpace(b, i + 1, n);
      if (is_claim) {
        // Only a plain string value is read here; an escaped or non-string one goes to JSON.parse.
        if (i >= n || b[i] != '"') return ClaimScan::kUnsure;
        const size_t opened = i + 1;
        i = StringEnd(b, i, n, &escaped);
        if (i == kFail || escaped) return ClaimScan::kUnsure;
        found = true;
        start = opened;
        stop = i - 1;
      } else {
        i = ValueEnd(b, i, n, 1);
        if (i == kFail) return ClaimScan::kUnsure;
      }
      i = SkipSpace(b, i, n);
      if (i >= n) return ClaimScan::kUnsure;
      if (b[i] == '}') {
        i++;
        break;
      }
      if (b[i] != ',') return ClaimScan::kUnsure;
      i = SkipSpace(b, i + 1, n);
    }
  }
  // Nothing but whitespace may follow the object.
  if (SkipSpace(b, i, n) != n) return ClaimScan::kUnsure;
  if (!found) return ClaimScan::kAbsent;
  *value_start = start;
  *value_length = stop - start;
  return ClaimScan::kFound;
}

}  // namespace portcullis
