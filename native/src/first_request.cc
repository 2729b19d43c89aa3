// Pure C++: whether the first bytes a uWS connection sent hold a first request uWS 20.43 can never serve.
#include "first_request.h"

#include <cstring>

namespace portcullis {
namespace {

// The gateway's refusals (src/errors.ts GATEWAY_MESSAGES, in the shape of src/server/node-engine.ts's parser answers).
#define PORTCULLIS_BAD_REQUEST_BODY "{\"message\":\"Bad request\"}"
#define PORTCULLIS_VERSION_BODY "{\"message\":\"HTTP version not supported\"}"
#define PORTCULLIS_ANSWER(status, length, body)                                                     \
  "HTTP/1.1 " status "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " length \
  "\r\n"                                                                                            \
  "Connection: close\r\n\r\n" body
constexpr char kBadRequest[] = PORTCULLIS_ANSWER("400 Bad Request", "25", PORTCULLIS_BAD_REQUEST_BODY);
constexpr char kVersion[] = PORTCULLIS_ANSWER("505 HTTP Version Not Supported", "40", PORTCULLIS_VERSION_BODY);
static_assert(sizeof(PORTCULLIS_BAD_REQUEST_BODY) - 1 == 25, "the 400 body's Content-Length");
static_assert(sizeof(PORTCULLIS_VERSION_BODY) - 1 == 40, "the 505 body's Content-Length");
#undef PORTCULLIS_ANSWER
#undef PORTCULLIS_VERSION_BODY
#undef PORTCULLIS_BAD_REQUEST_BODY

constexpr char kVersion11[] = " HTTP/1.1\r\n";  // what uWS 20.43 requires right after the target
constexpr size_t kVersion11Length = sizeof(kVersion11) - 1;

enum class Line { kIncomplete, kValid, kInvalid };

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// How far data[at, length) follows " HTTP/d.d\r\n", the end of a request line of any HTTP version: kValid when all
// of it is there, kIncomplete when what is there is a beginning of it, kInvalid when a byte breaks it.
Line VersionAt(const char* data, size_t length, size_t at) {
  static const char kShape[] = " HTTP/9.9\r\n";  // '9': any digit
  for (size_t k = 0; k < kVersion11Length; k++) {
    if (at + k >= length) return Line::kIncomplete;
    const char c = data[at + k];
    if (kShape[k] == '9' ? !IsDigit(c) : c != kShape[k]) return Line::kInvalid;
  }
  return Line::kValid;
}

// uWS reads a method while `char` bytes are above 32, as this does: on x86-64, where `char` is signed, bytes
// 0x21-0x7f; a target while unsigned bytes are.
inline bool MethodByte(char c) { return c > 32; }
inline bool TargetByte(char c) { return static_cast<unsigned char>(c) > 32; }

// uWS 20.43's request line rule, run on the bytes there are: a method (MethodByte), one space, a target starting
// with '/' (TargetByte), then exactly " HTTP/1.1\r\n". Invalid as soon as a byte present breaks it (more bytes cannot
// help: uWS then waits for ever); *line_end is the index after the line's LF.
Line ScanRequestLine(const char* data, size_t length, size_t* line_end, bool* other_version) {
  size_t i = 0;
  while (i < length && MethodByte(data[i])) i++;
  if (i >= length) return Line::kIncomplete;
  if (data[i] != ' ') return Line::kInvalid;
  if (i + 1 >= length) return Line::kIncomplete;
  if (data[i + 1] != '/') return Line::kInvalid;
  size_t j = i + 1;
  while (j < length && TargetByte(data[j])) j++;
  // Any version's line end first: a broken one answers 400, another version's 505 (wait until its end shows which).
  const Line version = VersionAt(data, length, j);
  if (version != Line::kValid) return version;
  if (std::memcmp(data + j, kVersion11, kVersion11Length) != 0) {
    *other_version = true;
    return Line::kInvalid;
  }
  *line_end = j + kVersion11Length;
  return Line::kValid;
}

inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Whether a header line of the head [from, end) starts with "host:" (uWS lower-cases names and needs the ':' next).
bool HeadHasHost(const char* data, size_t from, size_t end) {
  size_t line = from;
  while (line < end) {
    if (end - line >= 5 && AsciiLower(data[line]) == 'h' && AsciiLower(data[line + 1]) == 'o' &&
        AsciiLower(data[line + 2]) == 's' && AsciiLower(data[line + 3]) == 't' && data[line + 4] == ':') {
      return true;
    }
    const void* cr = std::memchr(data + line, '\r', end - line);
    if (cr == nullptr) return false;
    line = static_cast<size_t>(static_cast<const char*>(cr) - data) + 2;  // past "\r\n": the head ends in "\r\n\r\n"
  }
  return false;
}

// Index of the first "\r\n\r\n" at or after `from`, or `length` when there is none.
size_t HeadEnd(const char* data, size_t length, size_t from) {
  const void* end = memmem(data + from, length - from, "\r\n\r\n", 4);
  return end == nullptr ? length : static_cast<size_t>(static_cast<const char*>(end) - data);
}

}  // namespace

FirstRequest CheckFirstRequest(const char* data, size_t length) {
  // uWS's PROXY v2 parser needs four bytes first, and takes "\r\n\r\n" as a preamble (HTTP never starts so).
  if (data == nullptr || length < 4 || std::memcmp(data, "\r\n\r\n", 4) == 0) return FirstRequest::kLeaveToUws;
  size_t line_end = 0;
  bool other_version = false;
  switch (ScanRequestLine(data, length, &line_end, &other_version)) {
    case Line::kIncomplete: return FirstRequest::kLeaveToUws;
    case Line::kInvalid: return other_version ? FirstRequest::kVersionNotSupported : FirstRequest::kBadRequest;
    case Line::kValid: break;
  }
  // A head without header lines ends right after the request line's CRLF.
  if (length - line_end >= 2 && data[line_end] == '\r' && data[line_end + 1] == '\n') return FirstRequest::kBadRequest;
  const size_t head_end = HeadEnd(data, length, line_end - 2);
  if (head_end == length) return FirstRequest::kLeaveToUws;
  return HeadHasHost(data, line_end, head_end + 2) ? FirstRequest::kLeaveToUws : FirstRequest::kBadRequest;
}

const char* FirstRequestAnswer(FirstRequest verdict, size_t* length) {
  switch (verdict) {
    case FirstRequest::kBadRequest: *length = sizeof(kBadRequest) - 1; return kBadRequest;
    case FirstRequest::kVersionNotSupported: *length = sizeof(kVersion) - 1; return kVersion;
    case FirstRequest::kLeaveToUws: break;
  }
  *length = 0;
  return "";
}

}  // namespace portcullis
