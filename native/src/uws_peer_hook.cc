// Hooks the connections of each uWS listener (plain HTTP or TLS): keeps a connection's peer address from its accept,
// so a request reads it without a getpeername, and answers a first request uWS 20.43 would never answer.
//
// uWS.js asks the kernel (getpeername) every time JavaScript reads a response's peer address, and it has no
// connection open or close callback to cache it with. Its binary exports uSockets' C API, though. watchUwsListener
// finds the socket context of a listen socket and chains the context's open, close and data handlers with ours: open
// records the address uSockets got from accept(), keyed by the socket, and close forgets it before the socket's
// memory can be reused. uwsPeerAddress(res) then reads the response's socket (uWS.js keeps it in the object's first
// internal field) and answers from that table, or undefined when the connection is not in it. Data looks at each
// connection's first read only (first_request.h): a request line uWS cannot read (HTTP/1.0, absolute-form) or a head
// without Host gets 505 or 400 at once, where uWS itself would wait for its 10 s idle timeout or close silently.
//
// The context's layout is not assumed: the setter is called once with our handler, and the one pointer slot that
// changed, holding our handler, is where uWS's handler was. Anything unexpected leaves the context as it was.
// Everything runs on the thread of the worker whose uWS loop it is, so the tables are thread-local.
//
// A TLS listener's context is uSockets' SSL context, which begins with the plain one: the setter with ssl = 1 keeps
// uSockets' own TLS handlers in the plain slots and stores the application's handler in the SSL part, which is the
// slot that changes; uSockets' TLS layer calls it with the same socket and accepted address once the TCP connection
// is open (before the handshake), and calls the close handler whenever the connection closes.
#include "uws_peer_hook.h"

#if defined(__linux__) || defined(__APPLE__)
#include <v8.h>

#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "first_request.h"
#include "peer_addresses.h"
#include "uws_symbols.h"
#include "v8_handles.h"

namespace portcullis {
namespace {

struct us_socket_t;
struct us_socket_context_t;
using OpenHandler = us_socket_t* (*)(us_socket_t*, int, char*, int);
using CloseHandler = us_socket_t* (*)(us_socket_t*, int, void*);
using DataHandler = us_socket_t* (*)(us_socket_t*, char*, int);
using ContextOf = us_socket_context_t* (*)(int, us_socket_t*);
using LocalPort = int (*)(int, us_socket_t*);
using SetOpen = void (*)(int, us_socket_context_t*, OpenHandler);
using SetClose = void (*)(int, us_socket_context_t*, CloseHandler);
using SetData = void (*)(int, us_socket_context_t*, DataHandler);
using Write = int (*)(int, us_socket_t*, const char*, int, int);
using Shutdown = void (*)(int, us_socket_t*);

// Bytes of the context compared around each setter call. The plain handler slots are near its start (56 and 80 on
// the pinned build), the SSL part's right after the plain context (about 128 bytes); every uWS context's allocation
// continues with uWS's HttpContextData well past this.
constexpr size_t kContextScanBytes = 256;

struct USockets {
  ContextOf context_of = nullptr;
  LocalPort local_port = nullptr;
  SetOpen set_open = nullptr;
  SetClose set_close = nullptr;
  SetData set_data = nullptr;
  Write write = nullptr;
  Shutdown shutdown = nullptr;
};

struct HookedContext {
  us_socket_context_t* context;
  int ssl;
  OpenHandler open;
  CloseHandler close;
  DataHandler data;
  std::ptrdiff_t open_slot;
  std::ptrdiff_t close_slot;
  std::ptrdiff_t data_slot;
};

struct Peer {
  us_socket_context_t* context;
  PeerText text;
};

struct ThreadPeers {
  USockets api;
  std::vector<HookedContext> contexts;
  std::unordered_map<us_socket_t*, Peer> peers;
  // Accepted connections whose first read has not come yet (the only read CheckFirstRequest may judge: later ones can
  // be bodies). Empty while every open connection has sent something, so a read then costs one test here.
  std::unordered_set<us_socket_t*> awaiting_first_read;
  // Connections whose first request was answered here: what they still send is read and dropped until they close
  // or uWS's idle timeout closes them, so a client still sending a body reads the answer instead of a reset.
  std::unordered_set<us_socket_t*> answered;
};

thread_local ThreadPeers t_peers;

HookedContext* HookedOf(us_socket_context_t* context) {
  for (HookedContext& hooked : t_peers.contexts) {
    if (hooked.context == context) return &hooked;
  }
  return nullptr;
}

us_socket_t* OnOpen(us_socket_t* socket, int is_client, char* ip, int ip_length) {
  us_socket_context_t* context = t_peers.api.context_of(0, socket);
  // Recorded before uWS's handler runs: if that closes the socket at once, OnClose below forgets it again.
  Peer peer{context, {}};
  if (is_client == 0 && FormatPeerAddress(reinterpret_cast<const unsigned char*>(ip), ip_length, &peer.text)) {
    t_peers.peers[socket] = peer;
  } else {
    t_peers.peers.erase(socket);
  }
  if (is_client == 0) t_peers.awaiting_first_read.insert(socket);
  return HookedOf(context)->open(socket, is_client, ip, ip_length);
}

us_socket_t* OnClose(us_socket_t* socket, int code, void* reason) {
  us_socket_context_t* context = t_peers.api.context_of(0, socket);
  t_peers.peers.erase(socket);
  t_peers.awaiting_first_read.erase(socket);
  t_peers.answered.erase(socket);
  return HookedOf(context)->close(socket, code, reason);
}

// A connection's first read holding a request uWS 20.43 would never answer gets the answer later uWS versions give
// (first_request.h) and our half of the connection is shut; anything else goes to uWS. The connection then closes
// when the client closes its half (uWS's end handler) or at uWS's idle timeout, never with unread bytes (a reset).
us_socket_t* OnData(us_socket_t* socket, char* data, int length) {
  if (!t_peers.answered.empty() && t_peers.answered.count(socket) != 0) return socket;
  const HookedContext& hooked = *HookedOf(t_peers.api.context_of(0, socket));
  std::unordered_set<us_socket_t*>& awaiting = t_peers.awaiting_first_read;
  if (awaiting.empty() || awaiting.erase(socket) == 0) return hooked.data(socket, data, length);
  const FirstRequest verdict =
      length > 0 ? CheckFirstRequest(data, static_cast<size_t>(length)) : FirstRequest::kLeaveToUws;
  if (verdict == FirstRequest::kLeaveToUws) return hooked.data(socket, data, length);
  size_t answer_length = 0;
  const char* answer = FirstRequestAnswer(verdict, &answer_length);
  const USockets& api = t_peers.api;
  api.write(hooked.ssl, socket, answer, static_cast<int>(answer_length), 0);
  api.shutdown(hooked.ssl, socket);
  t_peers.answered.insert(socket);
  return socket;
}

// The uSockets socket behind a uWS.js response object, or null (not such an object, or a finished response).
us_socket_t* SocketOf(v8::Local<v8::Value> value) {
  if (!value->IsObject()) return nullptr;
  v8::Local<v8::Object> object = value.As<v8::Object>();
  if (object->InternalFieldCount() < 1) return nullptr;
  return static_cast<us_socket_t*>(object->GetAlignedPointerFromInternalField(0));
}

// The uSockets listen socket behind a uWS.js listen socket (an External holding the pointer), or null.
us_socket_t* ListenSocketOf(v8::Local<v8::Value> value) { return static_cast<us_socket_t*>(ExternalPointer(value)); }

bool ResolveUSockets(const char* binary_path, std::string* why) {
  USockets& api = t_peers.api;
  if (api.context_of != nullptr) return true;
  static const char* const kNames[] = {
      "us_socket_context",         "us_socket_local_port", "us_socket_context_on_open", "us_socket_context_on_close",
      "us_socket_context_on_data", "us_socket_write",      "us_socket_shutdown"};
  constexpr size_t kCount = sizeof(kNames) / sizeof(kNames[0]);
  void* found[kCount] = {};
  const UwsSymbols result = FindUwsSymbols(binary_path, kNames, found, kCount);
  if (result != UwsSymbols::kFound) {
    *why = result == UwsSymbols::kBinaryNotLoaded ? "the uWS binary is not loaded in this process"
                                                  : "the uWS binary does not export uSockets' socket context API";
    return false;
  }
  api.context_of = reinterpret_cast<ContextOf>(found[0]);
  api.local_port = reinterpret_cast<LocalPort>(found[1]);
  api.set_open = reinterpret_cast<SetOpen>(found[2]);
  api.set_close = reinterpret_cast<SetClose>(found[3]);
  api.set_data = reinterpret_cast<SetData>(found[4]);
  api.write = reinterpret_cast<Write>(found[5]);
  api.shutdown = reinterpret_cast<Shutdown>(found[6]);
  return true;
}

// Calls `set` with `ours` and returns the handler it replaced, or null after putting the bytes back.
template <typename Handler, typename Setter>
Handler Chain(us_socket_context_t* context, int ssl, Setter set, Handler ours, std::ptrdiff_t* slot) {
  unsigned char before[kContextScanBytes];
  unsigned char after[kContextScanBytes];
  std::memcpy(before, context, kContextScanBytes);
  set(ssl, context, ours);
  std::memcpy(after, context, kContextScanBytes);
  void* replaced = nullptr;
  *slot = FindWrittenSlot(before, after, kContextScanBytes, reinterpret_cast<const void*>(ours), &replaced);
  if (*slot < 0 || replaced == nullptr) {
    std::memcpy(context, before, kContextScanBytes);
    return nullptr;
  }
  return reinterpret_cast<Handler>(replaced);
}

// Whether all of a hooked context's handler slots still hold ours.
bool StillOurs(const HookedContext& hooked) {
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(hooked.context);
  OpenHandler open = nullptr;
  CloseHandler close = nullptr;
  DataHandler data = nullptr;
  std::memcpy(&open, bytes + hooked.open_slot, sizeof(open));
  std::memcpy(&close, bytes + hooked.close_slot, sizeof(close));
  std::memcpy(&data, bytes + hooked.data_slot, sizeof(data));
  return open == &OnOpen && close == &OnClose && data == &OnData;
}

// Hooks the context of a listen socket (`ssl`: a TLS listener's); "" when the connections it accepts are (now or
// already) recorded, else why not.
std::string Watch(us_socket_t* listen_socket, int port, int ssl) {
  const USockets& api = t_peers.api;
  if (api.local_port(ssl, listen_socket) != port) return "the listen socket is not on the listener's port";
  us_socket_context_t* context = api.context_of(ssl, listen_socket);
  HookedContext* hooked = HookedOf(context);
  if (hooked != nullptr) {
    if (StillOurs(*hooked)) return "";
    // A new context where a freed one was: its handlers are uWS's again.
    *hooked = HookedContext{nullptr, 0, nullptr, nullptr, nullptr, 0, 0, 0};
  }
  HookedContext next{context, ssl, nullptr, nullptr, nullptr, 0, 0, 0};
  next.open = Chain<OpenHandler>(context, ssl, api.set_open, &OnOpen, &next.open_slot);
  if (next.open == nullptr) return "uSockets' open handler slot was not found";
  next.close = Chain<CloseHandler>(context, ssl, api.set_close, &OnClose, &next.close_slot);
  if (next.close == nullptr) {
    api.set_open(ssl, context, next.open);
    return "uSockets' close handler slot was not found";
  }
  next.data = Chain<DataHandler>(context, ssl, api.set_data, &OnData, &next.data_slot);
  if (next.data == nullptr) {
    api.set_open(ssl, context, next.open);
    api.set_close(ssl, context, next.close);
    return "uSockets' data handler slot was not found";
  }
  if (hooked != nullptr) {
    *hooked = next;
  } else {
    t_peers.contexts.push_back(next);
  }
  return "";
}

// watchUwsListener(listenSocket, binaryPath, port, tls) → '' when the connections that listen socket accepts have
// their addresses recorded from now on, else why not. `tls` must say whether it is an SSLApp's listen socket.
void WatchUwsListener(const v8::FunctionCallbackInfo<v8::Value>& info) {
  v8::Isolate* isolate = info.GetIsolate();
  std::string why;
  us_socket_t* socket = info.Length() >= 4 ? ListenSocketOf(info[0]) : nullptr;
  if (socket == nullptr || !info[1]->IsString() || !info[2]->IsInt32() || !info[3]->IsBoolean()) {
    why = "watchUwsListener(listenSocket, binaryPath, port, tls) needs a uWS listen socket";
  } else {
    v8::String::Utf8Value path(isolate, info[1]);
    const int ssl = info[3]->IsTrue() ? 1 : 0;
    if (*path != nullptr && ResolveUSockets(*path, &why)) why = Watch(socket, info[2].As<v8::Int32>()->Value(), ssl);
  }
  info.GetReturnValue().Set(
      v8::String::NewFromUtf8(isolate, why.c_str(), v8::NewStringType::kNormal, static_cast<int>(why.size()))
          .ToLocalChecked());
}

// uwsPeerAddress(res) → uWS's text of the peer address recorded at accept, or undefined when it was not recorded.
void UwsPeerAddress(const v8::FunctionCallbackInfo<v8::Value>& info) {
  if (info.Length() < 1 || t_peers.peers.empty()) return;
  us_socket_t* socket = SocketOf(info[0]);
  if (socket == nullptr) return;
  auto found = t_peers.peers.find(socket);
  // The socket is live while its response is open (uWS.js clears the field when it ends or aborts), so asking for
  // its context is what uWS.js's own getRemoteAddress does with it; a socket of a context not hooked never matches.
  if (found == t_peers.peers.end() || found->second.context != t_peers.api.context_of(0, socket)) return;
  const PeerText& text = found->second.text;
  info.GetReturnValue().Set(v8::String::NewFromOneByte(info.GetIsolate(), reinterpret_cast<const uint8_t*>(text.text),
                                                       v8::NewStringType::kNormal, text.length)
                                .ToLocalChecked());
}

}  // namespace

void ExportUwsPeerHook(Napi::Env env, Napi::Object exports) {
  if (!SameHandle(env)) return;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Function> watch;
  v8::Local<v8::Function> address;
  if (!v8::Function::New(context, WatchUwsListener).ToLocal(&watch) ||
      !v8::Function::New(context, UwsPeerAddress).ToLocal(&address)) {
    return;
  }
  exports.Set("watchUwsListener", Napi::Value(env, ToNapi(watch)));
  exports.Set("uwsPeerAddress", Napi::Value(env, ToNapi(address)));
  // Tells the gateway watchUwsListener takes the `tls` argument (a build before it would hook a TLS context as plain).
  exports.Set("uwsPeerHookTls", Napi::Boolean::New(env, true));
}

}  // namespace portcullis

#else

namespace portcullis {
// No dlopen here: the gateway reads the peer address per request.
void ExportUwsPeerHook(Napi::Env, Napi::Object) {}
}  // namespace portcullis

#endif
