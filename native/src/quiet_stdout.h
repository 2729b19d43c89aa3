// Runs a JavaScript callback with what it prints through C stdio's stdout discarded (quiet_stdout.cc).
#ifndef PORTCULLIS_QUIET_STDOUT_H_
#define PORTCULLIS_QUIET_STDOUT_H_

#include <napi.h>

namespace portcullis {

// Adds withStdoutDiscarded(fn) → fn's result, with glibc (its FILE's descriptor can be pointed elsewhere).
void ExportQuietStdout(Napi::Env env, Napi::Object exports);

}  // namespace portcullis

#endif  // PORTCULLIS_QUIET_STDOUT_H_
