// Between N-API values and the V8 handles they are, for the exports that read uWS.js objects (whose listen sockets
// are bare v8::External pointers, which napi_get_value_external cannot read: it expects its own wrapper).
#ifndef PORTCULLIS_V8_HANDLES_H_
#define PORTCULLIS_V8_HANDLES_H_

#include <napi.h>
#include <v8.h>

#include <cstring>

namespace portcullis {

// Node's napi_value is a v8::Local<v8::Value> in disguise (its own N-API implementation converts them this way).
inline napi_value ToNapi(v8::Local<v8::Value> value) {
  napi_value out;
  static_assert(sizeof(out) == sizeof(value), "napi_value and v8::Local differ in size");
  std::memcpy(static_cast<void*>(&out), &value, sizeof(value));
  return out;
}

inline v8::Local<v8::Value> FromNapi(napi_value value) {
  v8::Local<v8::Value> out;
  std::memcpy(static_cast<void*>(&out), &value, sizeof(value));
  return out;
}

// Whether this Node's napi_value is that handle (checked once, before exporting anything that relies on it).
inline bool SameHandle(Napi::Env env) {
  v8::Local<v8::Value> value = FromNapi(Napi::Number::New(env, 4242));
  return !value.IsEmpty() && value->IsNumber() && value.As<v8::Number>()->Value() == 4242;
}

// The pointer a v8::External holds (uWS.js's listen socket: uSockets' us_listen_socket_t), or null.
inline void* ExternalPointer(v8::Local<v8::Value> value) {
  return value->IsExternal() ? value.As<v8::External>()->Value() : nullptr;
}

}  // namespace portcullis

#endif  // PORTCULLIS_V8_HANDLES_H_
