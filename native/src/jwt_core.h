// Pure C++ JWT HMAC core: strict base64url decoding and HMAC-SHA2 verify with precomputed key state.
#ifndef PORTCULLIS_JWT_CORE_H_
#define PORTCULLIS_JWT_CORE_H_

// The low-level SHA API is deprecated in OpenSSL 3 but still exported (by Node too) and is the
// cheapest way to copy a prepared hash state per verify.
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>

namespace portcullis {

// Bounds: a token longer than this is rejected before any work; a MAC never exceeds 64 bytes.
constexpr size_t kMaxTokenLength = 128 * 1024;  // = MAX_TOKEN_LENGTH in src/auth/token-decoder.ts
constexpr size_t kMaxMacLength = 64;
constexpr size_t kMaxSecretLength = 64 * 1024;

// Numbers shared with the TypeScript façade (src/native/addon.ts).
enum Alg : int { kHS256 = 0, kHS384 = 1, kHS512 = 2 };

enum VerifyResult : int {
  kMatch = 1,
  kMismatch = 0,
  kErrTooLong = -1,       // token longer than kMaxTokenLength
  kErrStructure = -2,     // signingInputLength is not the index of the token's second '.'
  kErrBadSignature = -3,  // signature segment is not strict base64url
  kErrNotAscii = -4,      // a byte >= 0x80 anywhere in the token
  kErrBadSlot = -5,       // (addon) no key in that slot
  kErrBadArgument = -6,   // (addon) token is not a string or length is not a number
};

enum Base64Result : int {
  kB64Ok = 0,
  kB64BadChar = -1,    // a character outside A-Za-z0-9-_ before the first '='
  kB64BadLength = -2,  // the length before the first '=' is 1 mod 4
  kB64TooLong = -3,    // the decoded length exceeds the output capacity
};

// Kong/nginx rules: the text is read up to the first '=' (the rest is ignored), every character
// before it must be in A-Za-z0-9-_, and that length must not be 1 mod 4. Unused low bits of the
// last character are ignored, as nginx does. Validates and sets *decoded_len without decoding.
Base64Result Base64UrlDecodedLength(const char* in, size_t in_len, size_t* decoded_len);
// The same rules, decoding into out. With room for any decoding (out_cap >= in_len / 4 * 3 + 2) it validates
// while it decodes, in one pass; on an error, out may hold part of the decoding.
Base64Result Base64UrlDecode(const char* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len);

// True when every byte is < 0x80.
bool IsAscii(const char* data, size_t len);

// One credential's HMAC state: the inner and outer hash contexts after absorbing key^ipad and
// key^opad, so a MAC costs two hash finishes over the message instead of a key setup.
class HmacKey {
 public:
  HmacKey() = default;
  ~HmacKey();
  HmacKey(const HmacKey&) = default;
  HmacKey& operator=(const HmacKey&) = default;

  // Returns false for an unknown algorithm or an over-long secret.
  bool Init(int alg, const uint8_t* secret, size_t secret_len);
  bool ready() const { return mac_len_ != 0; }
  size_t mac_len() const { return mac_len_; }
  int alg() const { return alg_; }

  // Writes mac_len() bytes to out (which holds kMaxMacLength bytes).
  void Compute(const uint8_t* msg, size_t msg_len, uint8_t* out) const;

  // token[0, signing_input_len) is the signed text; token[signing_input_len] must be the second '.'.
  // Returns a VerifyResult.
  int Verify(const char* token, size_t token_len, size_t signing_input_len) const;
  // Verify's signature step alone, for a caller that has made its checks: the token is ASCII, at most
  // kMaxTokenLength, token[signing_input_len] is '.', and token[0, signing_input_len) holds exactly one '.'.
  int VerifySignature(const char* token, size_t token_len, size_t signing_input_len) const;

 private:
  union HashState {
    SHA256_CTX sha256;
    SHA512_CTX sha512;
  };
  HashState inner_{};
  HashState outer_{};
  size_t mac_len_ = 0;
  int alg_ = -1;
};

}  // namespace portcullis

#endif  // PORTCULLIS_JWT_CORE_H_
