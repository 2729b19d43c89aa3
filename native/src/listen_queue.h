// How many accepted connections wait in a listen socket's queue (uwsListenQueueLength), so a uWS listen socket that
// another has taken over is closed when the kernel would reset nothing (listen_queue.cc).
#ifndef PORTCULLIS_LISTEN_QUEUE_H_
#define PORTCULLIS_LISTEN_QUEUE_H_

#include <napi.h>

namespace portcullis {

// The accept queue's length of listening descriptor `fd` (Linux TCP_INFO), or -1 when it cannot be read (not a
// listening TCP socket, another platform).
int ListenQueueLength(int fd);

// Adds uwsListenQueueLength(listenSocket, binaryPath) → the queue's length of a uWS.js listen socket, or -1.
void ExportListenQueue(Napi::Env env, Napi::Object exports);

}  // namespace portcullis

#endif  // PORTCULLIS_LISTEN_QUEUE_H_
