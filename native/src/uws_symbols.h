// uSockets functions looked up in the uWS.js binary this process already loaded (the exports that reach into uWS).
#ifndef PORTCULLIS_UWS_SYMBOLS_H_
#define PORTCULLIS_UWS_SYMBOLS_H_

#if defined(__linux__) || defined(__APPLE__)
#include <dlfcn.h>

#include <cstddef>

namespace portcullis {

enum class UwsSymbols { kFound, kBinaryNotLoaded, kMissing };

// Fills out[i] with the address of names[i] in the binary at `binary_path`, all or none (out is left alone unless
// every name is found). RTLD_NOLOAD: only the copy uWS.js already loaded is used, never a second one.
inline UwsSymbols FindUwsSymbols(const char* binary_path, const char* const* names, void** out, size_t count) {
  void* handle = dlopen(binary_path, RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return UwsSymbols::kBinaryNotLoaded;
  UwsSymbols result = UwsSymbols::kFound;
  void* found[8] = {};
  if (count > sizeof(found) / sizeof(found[0])) result = UwsSymbols::kMissing;
  for (size_t i = 0; result == UwsSymbols::kFound && i < count; i++) {
    found[i] = dlsym(handle, names[i]);
    if (found[i] == nullptr) result = UwsSymbols::kMissing;
  }
  dlclose(handle);  // Drops only the reference taken above; uWS.js's own keeps the binary loaded.
  if (result == UwsSymbols::kFound) {
    for (size_t i = 0; i < count; i++) out[i] = found[i];
  }
  return result;
}

}  // namespace portcullis

#endif

#endif  // PORTCULLIS_UWS_SYMBOLS_H_
