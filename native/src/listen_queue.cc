// The accept queue of a uWS listen socket: how many connections the kernel would reset if it closed now.
//
// New TLS material gets a new uWS app listening on the same port (SO_REUSEPORT); the old listen socket then closes,
// and Linux resets the connections still waiting in its queue unless net.ipv4.tcp_migrate_req is on. The gateway
// closes it once this reads 0. uWS.js gives JavaScript the listen socket as an External holding uSockets' pointer;
// uSockets' exported us_poll_fd gives its descriptor, and TCP_INFO of a listening socket reports the queue's length
// (tcpi_unacked; tcpi_sacked is the backlog).
#include "listen_queue.h"

#if defined(__linux__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "uws_symbols.h"
#include "v8_handles.h"

namespace portcullis {

int ListenQueueLength(int fd) {
  if (fd < 0) return -1;
  tcp_info info{};
  socklen_t length = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
  if (length < sizeof(info.tcpi_state) || info.tcpi_state != TCP_LISTEN) return -1;
  return static_cast<int>(info.tcpi_unacked);
}

namespace {

using PollFd = int (*)(void*);

// uSockets' us_poll_fd from the uWS binary that is already loaded at `binary_path`, or null.
PollFd ResolvePollFd(const std::string& binary_path) {
  static const char* const kNames[] = {"us_poll_fd"};
  void* found[1] = {};
  FindUwsSymbols(binary_path.c_str(), kNames, found, 1);
  return reinterpret_cast<PollFd>(found[0]);
}

// uwsListenQueueLength(listenSocket, binaryPath) → the listen socket's queue length, or -1 when it cannot be read.
// The listen socket must be open: a uSockets listen socket begins with its poll, which us_poll_fd reads.
Napi::Value UwsListenQueueLength(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsString()) return Napi::Number::New(env, -1);
  void* listen_socket = ExternalPointer(FromNapi(info[0]));
  PollFd poll_fd = listen_socket == nullptr ? nullptr : ResolvePollFd(info[1].As<Napi::String>().Utf8Value());
  return Napi::Number::New(env, poll_fd == nullptr ? -1 : ListenQueueLength(poll_fd(listen_socket)));
}

}  // namespace

void ExportListenQueue(Napi::Env env, Napi::Object exports) {
  if (!SameHandle(env)) return;
  exports.Set("uwsListenQueueLength", Napi::Function::New<UwsListenQueueLength>(env, "uwsListenQueueLength"));
}

}  // namespace portcullis

#else

namespace portcullis {
int ListenQueueLength(int) { return -1; }
// Not exported: the gateway closes a taken-over listen socket after one more poll phase.
void ExportListenQueue(Napi::Env, Napi::Object) {}
}  // namespace portcullis

#endif
