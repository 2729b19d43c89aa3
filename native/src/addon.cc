// N-API glue: a Keyring class (addKey/verify/checkToken/clear/size) over the pure C++ core, verify never throws; the
// malloc setting, shared listen sockets, uWS peer addresses, listen queues and response mark, quiet stdout.
#include <napi.h>

#include <cerrno>
#include <memory>
#include <new>
#include <vector>

#include "jwt_core.h"
#include "listen_queue.h"
#include "memory_tuning.h"
#include "quiet_stdout.h"
#include "shared_listen.h"
#include "token_check.h"
#include "uws_mark.h"
#include "uws_peer_hook.h"

namespace {

using portcullis::HmacKey;

// Tokens up to this size are copied onto the stack; longer ones (rare) into a heap buffer.
constexpr size_t kStackTokenBuffer = 16 * 1024;

// A JS string copied out as bytes (a token, a credential key, a claim name): on the stack up to kStackTokenBuffer,
// else on the heap.
struct AsciiBytes {
  char stack[kStackTokenBuffer];
  std::unique_ptr<char[]> heap;
  const char* data = nullptr;
  size_t length = 0;
};

// Copies `value` into `out`; 0 when it was a string of ASCII up to kMaxTokenLength, else the VerifyResult saying why.
int CopyAscii(napi_env env, napi_value value, AsciiBytes* out) {
  // Latin-1 length query is O(1): it is the string's UTF-16 length.
  size_t length = 0;
  if (napi_get_value_string_latin1(env, value, nullptr, 0, &length) != napi_ok) return portcullis::kErrBadArgument;
  if (length > portcullis::kMaxTokenLength) return portcullis::kErrTooLong;
  char* buffer = out->stack;
  if (length + 1 > sizeof(out->stack)) {
    out->heap.reset(new (std::nothrow) char[length + 1]);
    if (!out->heap) return portcullis::kErrTooLong;
    buffer = out->heap.get();
  }
  // UTF-8 keeps non-ASCII detectable (Latin-1 would keep only the low byte of each char): any
  // non-ASCII char makes the UTF-8 form longer than `length`, so it is cut short or differs.
  size_t written = 0;
  if (napi_get_value_string_utf8(env, value, buffer, length + 1, &written) != napi_ok)
    return portcullis::kErrBadArgument;
  if (written != length) return portcullis::kErrNotAscii;
  out->data = buffer;
  out->length = length;
  return 0;
}

constexpr size_t kMaxKeys = 1u << 20;

class Keyring : public Napi::ObjectWrap<Keyring> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Keyring",
                       {
                           InstanceMethod<&Keyring::AddKey>("addKey"),
                           InstanceMethod<&Keyring::IndexCredential>("indexCredential"),
                           InstanceMethod<&Keyring::ClaimNameId>("claimNameId"),
                           InstanceMethod<&Keyring::Clear>("clear"),
                           InstanceAccessor<&Keyring::Size>("size"),
                       });
  }

  // verify and checkToken, the request path's calls, are the instance's own functions, each carrying this keyring as
  // its data: a call then skips napi_unwrap, a private-symbol lookup on the receiver that cost about as much as the
  // SHA-256 of a bad-signature refusal. Each function holds the instance (its read-only `keyring`), so the pointer
  // cannot outlive it; the cycle is plain JS, collected as one.
  explicit Keyring(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Keyring>(info) {
    Napi::Object self = info.This().As<Napi::Object>();
    BindOwn<&Keyring::Verify>(info.Env(), self, "verify");
    BindOwn<&Keyring::CheckToken>(info.Env(), self, "checkToken");
  }

 private:
  using Method = Napi::Value (Keyring::*)(const Napi::CallbackInfo&);

  template <Method method>
  static Napi::Value CallBound(const Napi::CallbackInfo& info) {
    return (static_cast<Keyring*>(info.Data())->*method)(info);
  }

  template <Method method>
  void BindOwn(Napi::Env env, Napi::Object self, const char* name) {
    Napi::Function bound = Napi::Function::New<CallBound<method>>(env, name, this);
    bound.DefineProperty(Napi::PropertyDescriptor::Value("keyring", self, napi_default));
    self.DefineProperty(Napi::PropertyDescriptor::Value(name, bound, napi_enumerable));
  }

  // addKey(alg: 0|1|2, secret: Uint8Array) → slot. Throws TypeError/RangeError on bad input
  // (config time only, never on the request path).
  Napi::Value AddKey(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsTypedArray()) {
      Napi::TypeError::New(env, "addKey(alg: number, secret: Uint8Array)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const int32_t alg = info[0].As<Napi::Number>().Int32Value();
    Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
    if (ta.TypedArrayType() != napi_uint8_array) {
      Napi::TypeError::New(env, "secret must be a Buffer or Uint8Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint8Array bytes = ta.As<Napi::Uint8Array>();
    if (keys_.size() >= kMaxKeys) {
      Napi::RangeError::New(env, "too many keys in one keyring").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    HmacKey key;
    if (!key.Init(alg, bytes.Data(), bytes.ByteLength())) {
      Napi::RangeError::New(env, "unknown algorithm or secret longer than 64 KiB").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    keys_.push_back(key);
    return Napi::Number::New(env, static_cast<double>(keys_.size() - 1));
  }

  // verify(slot, token: string, signingInputLength) → 1 match, 0 mismatch, < 0 malformed.
  Napi::Value Verify(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    return Result(env, VerifyCode(env, info));
  }

  int VerifyCode(napi_env env, const Napi::CallbackInfo& info) const {
    if (info.Length() < 3) return portcullis::kErrBadArgument;
    uint32_t slot = 0;
    int64_t signing_input = 0;
    if (napi_get_value_uint32(env, info[0], &slot) != napi_ok) return portcullis::kErrBadArgument;
    if (napi_get_value_int64(env, info[2], &signing_input) != napi_ok) return portcullis::kErrBadArgument;
    if (slot >= keys_.size()) return portcullis::kErrBadSlot;
    AsciiBytes token;
    const int copied = CopyAscii(env, info[1], &token);
    if (copied != 0) return copied;
    if (signing_input < 0) return portcullis::kErrStructure;
    return keys_[slot].Verify(
        token.data, token.length,
        static_cast<uint64_t>(signing_input) > token.length ? token.length : static_cast<size_t>(signing_input));
  }

  // indexCredential(key: string, alg: 0|1|2, slot, slotBase64) → true when indexed (config time only).
  Napi::Value IndexCredential(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    AsciiBytes key;
    int32_t alg = -1;
    int32_t slot = -1;
    int32_t slot_base64 = -1;
    const bool read = info.Length() >= 4 && CopyAscii(env, info[0], &key) == 0 &&
                      napi_get_value_int32(env, info[1], &alg) == napi_ok &&
                      napi_get_value_int32(env, info[2], &slot) == napi_ok &&
                      napi_get_value_int32(env, info[3], &slot_base64) == napi_ok;
    return Napi::Boolean::New(info.Env(), read && index_.Add(key.data, key.length, alg, slot, slot_base64));
  }

  // claimNameId(name: string) → the id checkToken takes, or -1 (config time only).
  Napi::Value ClaimNameId(const Napi::CallbackInfo& info) {
    AsciiBytes name;
    if (info.Length() < 1 || CopyAscii(info.Env(), info[0], &name) != 0) return Result(info.Env(), -1);
    return Result(info.Env(), index_.ClaimNameId(name.data, name.length));
  }

  // checkToken(token: string, args) → 1 match, 0 mismatch, -1 unsure. `args` is one integer for what the caller knows
  // (src/native/addon.ts, checkTokenArgs): the header's algorithm in bits 0-1, a base64 secret in bit 2, the key
  // claim's id from bit 3. One argument instead of three, because reading each is an N-API call of its own.
  Napi::Value CheckToken(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    int32_t args = -1;
    AsciiBytes token;
    if (info.Length() < 2 || napi_get_value_int32(env, info[1], &args) != napi_ok || args < 0 ||
        CopyAscii(env, info[0], &token) != 0) {
      return Result(env, portcullis::kTokenUnsure);
    }
    return Result(env, portcullis::CheckTokenSignature(token.data, token.length, args & 3, args >> 3, (args & 4) != 0,
                                                       index_, keys_, &scratch_));
  }

  Napi::Value Clear(const Napi::CallbackInfo& info) {
    keys_.clear();
    keys_.shrink_to_fit();
    index_.Clear();
    return info.Env().Undefined();
  }

  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(keys_.size()));
  }

  static Napi::Value Result(napi_env env, int code) {
    napi_value out = nullptr;
    napi_create_int32(env, code, &out);
    return Napi::Value(env, out);
  }

  std::vector<HmacKey> keys_;
  portcullis::CredentialIndex index_;
  // The decoded payload of the token being checked (one at a time: the JS thread calls in).
  std::vector<uint8_t> scratch_;
};

// setMallocTrimThreshold(bytes) → true when applied (glibc only); see memory_tuning.cc.
Napi::Value SetMallocTrimThreshold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t bytes = 0;
  if (info.Length() < 1 || napi_get_value_int64(env, info[0], &bytes) != napi_ok || bytes < 0) {
    return Napi::Boolean::New(env, false);
  }
  return Napi::Boolean::New(env, portcullis::SetMallocTrimThreshold(static_cast<size_t>(bytes)));
}

// listenSharedPort(numericHost, port, backlog) → a listening descriptor, or a negative errno; see shared_listen.cc.
Napi::Value ListenSharedPort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  char host[portcullis::kMaxListenHostLength + 2];
  size_t host_length = 0;
  int32_t port = -1;
  int32_t backlog = 0;
  if (info.Length() < 3 || napi_get_value_string_utf8(env, info[0], host, sizeof(host), &host_length) != napi_ok ||
      napi_get_value_int32(env, info[1], &port) != napi_ok || napi_get_value_int32(env, info[2], &backlog) != napi_ok) {
    return Napi::Number::New(env, -EINVAL);
  }
  // A host longer than the buffer arrives truncated to sizeof(host) - 1 bytes, which is over the limit and refused.
  return Napi::Number::New(env, portcullis::ListenSharedPort(host, host_length, port, backlog));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Keyring", Keyring::Define(env));
  exports.Set("MAX_TOKEN_LENGTH", Napi::Number::New(env, static_cast<double>(portcullis::kMaxTokenLength)));
  exports.Set("MAX_SECRET_LENGTH", Napi::Number::New(env, static_cast<double>(portcullis::kMaxSecretLength)));
  exports.Set("ABI", Napi::Number::New(env, 1));
  exports.Set("setMallocTrimThreshold", Napi::Function::New<SetMallocTrimThreshold>(env, "setMallocTrimThreshold"));
  exports.Set("listenSharedPort", Napi::Function::New<ListenSharedPort>(env, "listenSharedPort"));
  portcullis::ExportUwsPeerHook(env, exports);
  portcullis::ExportListenQueue(env, exports);
  portcullis::ExportQuietStdout(env, exports);
  portcullis::ExportUwsMark(env, exports);
  // The verify result codes, exported so that src/native/addon.ts reads them instead of mirroring the enum by hand.
  Napi::Object codes = Napi::Object::New(env);
  codes.Set("MATCH", Napi::Number::New(env, portcullis::kMatch));
  codes.Set("MISMATCH", Napi::Number::New(env, portcullis::kMismatch));
  codes.Set("TOO_LONG", Napi::Number::New(env, portcullis::kErrTooLong));
  codes.Set("STRUCTURE", Napi::Number::New(env, portcullis::kErrStructure));
  codes.Set("BAD_SIGNATURE", Napi::Number::New(env, portcullis::kErrBadSignature));
  codes.Set("NOT_ASCII", Napi::Number::New(env, portcullis::kErrNotAscii));
  codes.Set("BAD_SLOT", Napi::Number::New(env, portcullis::kErrBadSlot));
  codes.Set("BAD_ARGUMENT", Napi::Number::New(env, portcullis::kErrBadArgument));
  codes.Freeze();
  exports.Set("VERIFY_CODES", codes);
  Napi::Object checks = Napi::Object::New(env);
  checks.Set("MATCH", Napi::Number::New(env, portcullis::kTokenSignatureMatches));
  checks.Set("MISMATCH", Napi::Number::New(env, portcullis::kTokenSignatureMismatch));
  checks.Set("UNSURE", Napi::Number::New(env, portcullis::kTokenUnsure));
  checks.Freeze();
  exports.Set("TOKEN_CHECK_CODES", checks);
  return exports;
}

}  // namespace

NODE_API_MODULE(portcullis_native, Init)
