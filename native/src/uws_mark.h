// Turns off the `uWebSockets: 20` header this uWS build adds to every response (uws_mark.cc).
#ifndef PORTCULLIS_UWS_MARK_H_
#define PORTCULLIS_UWS_MARK_H_

#include <napi.h>

namespace portcullis {

// Adds silenceUwsMark(listenSocket, binaryPath, tls) → '' when the responses of that socket's uWS loop (this thread's)
// no longer carry the header, else why not. Linux x86-64 only.
void ExportUwsMark(Napi::Env env, Napi::Object exports);

}  // namespace portcullis

#endif  // PORTCULLIS_UWS_MARK_H_
