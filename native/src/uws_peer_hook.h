// The addon's exports that keep each uWS connection's peer address (plain HTTP or TLS) from its accept
// (uws_peer_hook.cc).
#ifndef PORTCULLIS_UWS_PEER_HOOK_H_
#define PORTCULLIS_UWS_PEER_HOOK_H_

#include <napi.h>

namespace portcullis {

// Adds watchUwsListener(listenSocket, binaryPath, port, tls) and uwsPeerAddress(res) to exports, unless this Node's
// napi_value is not the V8 handle they need (then neither is exported and the gateway reads the address per request).
void ExportUwsPeerHook(Napi::Env env, Napi::Object exports);

}  // namespace portcullis

#endif  // PORTCULLIS_UWS_PEER_HOOK_H_
