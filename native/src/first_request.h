// Pure C++: whether the first bytes a uWS connection sent hold a first request uWS 20.43 can never serve.
#ifndef PORTCULLIS_FIRST_REQUEST_H_
#define PORTCULLIS_FIRST_REQUEST_H_

#include <cstddef>

namespace portcullis {

enum class FirstRequest {
  kLeaveToUws,          // uWS may serve it (or its line or head is not complete yet): uWS decides
  kBadRequest,          // 400: a request line uWS cannot read, or a whole head without Host
  kVersionNotSupported  // 505: a well-formed request line of another HTTP version (HTTP/1.0)
};

// uWS 20.43's parser never answers what it cannot read: a request line other than `method SP /target SP HTTP/1.1`
// (HTTP/1.0, absolute-form, `*`, a bare LF) waits for more bytes until the 10 s idle timeout, and a head without
// Host closes the connection. Later uWS answers 505 or 400 (v20.44 on). This reads only what is certain from the
// first read of a connection: the first line when its LF is there, and Host when the head's blank line is there.
// Bytes starting like a PROXY v2 preamble ("\r\n\r\n", which uWS's build strips itself) are left to uWS.
FirstRequest CheckFirstRequest(const char* data, size_t length);

// The answer to send for a refusal: status line, JSON body in the gateway's shape, `Connection: close`.
// Empty for kLeaveToUws. The bytes live for the whole process.
const char* FirstRequestAnswer(FirstRequest verdict, size_t* length);

}  // namespace portcullis

#endif  // PORTCULLIS_FIRST_REQUEST_H_
