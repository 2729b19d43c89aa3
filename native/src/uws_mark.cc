// Turns off the `uWebSockets: 20` header that uWS writes into every response, with uWS's own switch.
//
// uWS skips that header when its per-loop LoopData's `noMark` is set (Loop::setSilent), which uWS.js does not
// expose. Its binary exports uSockets' C API, which leads from a listen socket to its loop and the loop's extension,
// where LoopData lives; loop_data.cc checks its layout before it writes the switch, and any other build (another
// layout, another platform) keeps the header. Everything runs on the thread whose loop it is.
#include "uws_mark.h"

#if defined(__linux__) && defined(__x86_64__)
#include <ctime>
#include <string>

#include "loop_data.h"
#include "uws_symbols.h"
#include "v8_handles.h"
#endif

namespace portcullis {

#if defined(__linux__) && defined(__x86_64__)
namespace {

struct us_socket_t;
struct us_socket_context_t;
struct us_loop_t;
using ContextOf = us_socket_context_t* (*)(int, us_socket_t*);
using LoopOf = us_loop_t* (*)(int, us_socket_context_t*);
using LoopExt = void* (*)(us_loop_t*);

// silenceUwsMark(listenSocket, binaryPath, tls) → '' or why the header stays.
Napi::Value SilenceUwsMark(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* socket = info.Length() >= 3 ? ExternalPointer(FromNapi(info[0])) : nullptr;
  if (socket == nullptr || !info[1].IsString() || !info[2].IsBoolean()) {
    return Napi::String::New(env, "silenceUwsMark(listenSocket, binaryPath, tls) needs a uWS listen socket");
  }
  static const char* const kNames[] = {"us_socket_context", "us_socket_context_loop", "us_loop_ext"};
  void* found[3] = {};
  const UwsSymbols result = FindUwsSymbols(info[1].As<Napi::String>().Utf8Value().c_str(), kNames, found, 3);
  if (result == UwsSymbols::kBinaryNotLoaded)
    return Napi::String::New(env, "the uWS binary is not loaded in this process");
  if (result == UwsSymbols::kMissing)
    return Napi::String::New(env, "the uWS binary does not export uSockets' loop API");
  ContextOf context_of = reinterpret_cast<ContextOf>(found[0]);
  LoopOf loop_of = reinterpret_cast<LoopOf>(found[1]);
  LoopExt loop_ext = reinterpret_cast<LoopExt>(found[2]);
  const int ssl = info[2].As<Napi::Boolean>().Value() ? 1 : 0;
  us_loop_t* loop = loop_of(ssl, context_of(ssl, static_cast<us_socket_t*>(socket)));
  unsigned char* loop_data = static_cast<unsigned char*>(loop_ext(loop));
  if (!SilenceMark(loop_data, time(nullptr))) {
    return Napi::String::New(env, "the uWS loop's data is not laid out as in the build this was checked with");
  }
  return Napi::String::New(env, "");
}

}  // namespace

void ExportUwsMark(Napi::Env env, Napi::Object exports) {
  if (!SameHandle(env)) return;
  exports.Set("silenceUwsMark", Napi::Function::New<SilenceUwsMark>(env, "silenceUwsMark"));
}

#else

// Not exported: responses keep the header.
void ExportUwsMark(Napi::Env, Napi::Object) {}

#endif

}  // namespace portcullis
