// Discards what a callback prints through C stdio's stdout: uWS.js's domain() prints two debug lines per server name.
//
// The uWS.js build prints `finding <name>` and `Browsed to SNI: <name>` through C stdio and flushes them, so they
// land on file descriptor 1 among the gateway's JSON log lines (which Node writes to that descriptor directly).
// withStdoutDiscarded(fn) holds the stream's lock (other threads' stdio output waits; the lock is recursive, so fn's
// own printing proceeds), writes out what others left in the buffer, points the stream at /dev/null while fn runs,
// flushes what fn left, and points it back. Only the C stream's descriptor changes (glibc's FILE keeps it in
// `_fileno`): descriptor 1 itself, and Node's writes to it, are never touched.
#include "quiet_stdout.h"

// First: it defines __GLIBC__ on glibc.
#include <stdio.h>

#if defined(__GLIBC__)
#include <fcntl.h>
#include <unistd.h>

namespace portcullis {
namespace {

Napi::Value WithStdoutDiscarded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(env, "withStdoutDiscarded(fn)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  flockfile(stdout);
  fflush(stdout);
  const int stdout_fd = stdout->_fileno;
  if (null_fd >= 0) stdout->_fileno = null_fd;
  // Empty when fn threw: the exception stays pending and reaches the caller once this returns.
  Napi::Value result = info[0].As<Napi::Function>().Call({});
  fflush(stdout);
  stdout->_fileno = stdout_fd;
  funlockfile(stdout);
  if (null_fd >= 0) close(null_fd);
  return result;
}

}  // namespace

void ExportQuietStdout(Napi::Env env, Napi::Object exports) {
  exports.Set("withStdoutDiscarded", Napi::Function::New<WithStdoutDiscarded>(env, "withStdoutDiscarded"));
}

}  // namespace portcullis

#else

namespace portcullis {
// Not exported: the gateway calls uWS directly and its debug lines are printed.
void ExportQuietStdout(Napi::Env, Napi::Object) {}
}  // namespace portcullis

#endif
