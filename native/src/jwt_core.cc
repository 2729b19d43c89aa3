// Pure C++ JWT HMAC core: strict base64url decoding and HMAC-SHA2 verify with precomputed key state.
#include "jwt_core.h"

#include <openssl/crypto.h>

#include <cstring>

namespace portcullis {
namespace {

struct DecodeTable {
  int8_t v[256];
  constexpr DecodeTable() : v() {
    for (int i = 0; i < 256; i++) v[i] = -1;
    for (int i = 0; i < 26; i++) {
      v['A' + i] = static_cast<int8_t>(i);
      v['a' + i] = static_cast<int8_t>(26 + i);
    }
    for (int i = 0; i < 10; i++) v['0' + i] = static_cast<int8_t>(52 + i);
    v[static_cast<int>('-')] = 62;
    v[static_cast<int>('_')] = 63;
  }
};
constexpr DecodeTable kTable;

inline int8_t Sextet(char c) { return kTable.v[static_cast<uint8_t>(c)]; }

// Length of the data part (before the first '='), or a negative Base64Result.
inline long ValidDataLength(const char* in, size_t in_len) {
  size_t n = 0;
  for (; n < in_len; n++) {
    const char c = in[n];
    if (c == '=') break;
    if (Sextet(c) < 0) return kB64BadChar;
  }
  if (n % 4 == 1) return kB64BadLength;
  return static_cast<long>(n);
}

inline size_t DecodedSize(size_t data_len) {
  const size_t rem = data_len % 4;
  return data_len / 4 * 3 + (rem == 0 ? 0 : rem - 1);
}

}  // namespace

Base64Result Base64UrlDecodedLength(const char* in, size_t in_len, size_t* decoded_len) {
  const long n = ValidDataLength(in, in_len);
  if (n < 0) return static_cast<Base64Result>(n);
  *decoded_len = DecodedSize(static_cast<size_t>(n));
  return kB64Ok;
}

Base64Result Base64UrlDecode(const char* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len) {
  size_t i = 0;
  size_t o = 0;
  // Room for any decoding of in_len characters: validate while decoding, in one pass. Quartets decode while all
  // four are in the alphabet; the first that is not (a '=', a bad character) and the last 0-3 characters take the
  // careful path below, which gives the answers of a separate validation pass.
  if (in_len / 4 * 3 + 2 <= out_cap) {
    for (; i + 4 <= in_len; i += 4) {
      const int32_t a = Sextet(in[i]);
      const int32_t b = Sextet(in[i + 1]);
      const int32_t c = Sextet(in[i + 2]);
      const int32_t d = Sextet(in[i + 3]);
      if ((a | b | c | d) < 0) break;
      const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                         (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
      out[o++] = static_cast<uint8_t>(v >> 16);
      out[o++] = static_cast<uint8_t>(v >> 8);
      out[o++] = static_cast<uint8_t>(v);
    }
  }
  // From i: what the loop above left (everything, when out_cap may be too small).
  size_t n = i;
  for (; n < in_len; n++) {
    const char ch = in[n];
    if (ch == '=') break;
    if (Sextet(ch) < 0) return kB64BadChar;
  }
  if (n % 4 == 1) return kB64BadLength;
  if (o + DecodedSize(n - i) > out_cap) return kB64TooLong;
  for (; i + 4 <= n; i += 4) {
    const uint32_t v = (static_cast<uint32_t>(Sextet(in[i])) << 18) | (static_cast<uint32_t>(Sextet(in[i + 1])) << 12) |
                       (static_cast<uint32_t>(Sextet(in[i + 2])) << 6) | static_cast<uint32_t>(Sextet(in[i + 3]));
    out[o++] = static_cast<uint8_t>(v >> 16);
    out[o++] = static_cast<uint8_t>(v >> 8);
    out[o++] = static_cast<uint8_t>(v);
  }
  const size_t rem = n - i;
  if (rem >= 2) {
    uint32_t v = (static_cast<uint32_t>(Sextet(in[i])) << 18) | (static_cast<uint32_t>(Sextet(in[i + 1])) << 12);
    if (rem == 3) v |= static_cast<uint32_t>(Sextet(in[i + 2])) << 6;
    out[o++] = static_cast<uint8_t>(v >> 16);
    if (rem == 3) out[o++] = static_cast<uint8_t>(v >> 8);
  }
  *out_len = o;
  return kB64Ok;
}

bool IsAscii(const char* data, size_t len) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    acc |= w;
  }
  for (; i < len; i++) acc |= static_cast<uint8_t>(data[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

HmacKey::~HmacKey() {
  OPENSSL_cleanse(&inner_, sizeof(inner_));
  OPENSSL_cleanse(&outer_, sizeof(outer_));
}

bool HmacKey::Init(int alg, const uint8_t* secret, size_t secret_len) {
  size_t block;
  size_t mac_len;
  switch (alg) {
    case kHS256:
      block = 64;
      mac_len = 32;
      break;
    case kHS384:
      block = 128;
      mac_len = 48;
      break;
    case kHS512:
      block = 128;
      mac_len = 64;
      break;
    default: return false;
  }
  if (secret_len > kMaxSecretLength || (secret_len > 0 && secret == nullptr)) return false;

  uint8_t key[128] = {0};
  if (secret_len > block) {
    // RFC 2104: a key longer than the block is replaced by its hash.
    switch (alg) {
      case kHS256: SHA256(secret, secret_len, key); break;
      case kHS384: SHA384(secret, secret_len, key); break;
      default: SHA512(secret, secret_len, key); break;
    }
  } else if (secret_len > 0) {
    std::memcpy(key, secret, secret_len);
  }
  uint8_t pad[128];
  for (size_t i = 0; i < block; i++) pad[i] = key[i] ^ 0x36;
  switch (alg) {
    case kHS256:
      SHA256_Init(&inner_.sha256);
      SHA256_Update(&inner_.sha256, pad, block);
      break;
    case kHS384:
      SHA384_Init(&inner_.sha512);
      SHA384_Update(&inner_.sha512, pad, block);
      break;
    default:
      SHA512_Init(&inner_.sha512);
      SHA512_Update(&inner_.sha512, pad, block);
      break;
  }
  for (size_t i = 0; i < block; i++) pad[i] = key[i] ^ 0x5c;
  switch (alg) {
    case kHS256:
      SHA256_Init(&outer_.sha256);
      SHA256_Update(&outer_.sha256, pad, block);
      break;
    case kHS384:
      SHA384_Init(&outer_.sha512);
      SHA384_Update(&outer_.sha512, pad, block);
      break;
    default:
      SHA512_Init(&outer_.sha512);
      SHA512_Update(&outer_.sha512, pad, block);
      break;
  }
  OPENSSL_cleanse(key, sizeof(key));
  OPENSSL_cleanse(pad, sizeof(pad));
  alg_ = alg;
  mac_len_ = mac_len;
  return true;
}

void HmacKey::Compute(const uint8_t* msg, size_t msg_len, uint8_t* out) const {
  uint8_t inner_digest[kMaxMacLength];
  if (alg_ == kHS256) {
    SHA256_CTX c = inner_.sha256;
    SHA256_Update(&c, msg, msg_len);
    SHA256_Final(inner_digest, &c);
    c = outer_.sha256;
    SHA256_Update(&c, inner_digest, 32);
    SHA256_Final(out, &c);
    OPENSSL_cleanse(&c, sizeof(c));
  } else {
    SHA512_CTX c = inner_.sha512;
    if (alg_ == kHS384) {
      SHA384_Update(&c, msg, msg_len);
      SHA384_Final(inner_digest, &c);
      c = outer_.sha512;
      SHA384_Update(&c, inner_digest, 48);
      SHA384_Final(out, &c);
    } else {
      SHA512_Update(&c, msg, msg_len);
      SHA512_Final(inner_digest, &c);
      c = outer_.sha512;
      SHA512_Update(&c, inner_digest, 64);
      SHA512_Final(out, &c);
    }
    OPENSSL_cleanse(&c, sizeof(c));
  }
}

int HmacKey::Verify(const char* token, size_t token_len, size_t signing_input_len) const {
  if (mac_len_ == 0) return kErrBadSlot;
  if (token_len > kMaxTokenLength) return kErrTooLong;
  if (token == nullptr) return kErrStructure;
  // Before the structure checks: the addon's UTF-8 copy of a non-ASCII string may be cut short, so
  // its positions mean nothing, but it always keeps at least one byte >= 0x80.
  if (!IsAscii(token, token_len)) return kErrNotAscii;
  if (signing_input_len >= token_len || token[signing_input_len] != '.') return kErrStructure;
  const char* first = static_cast<const char*>(std::memchr(token, '.', signing_input_len));
  if (first == nullptr) return kErrStructure;
  const size_t after_first = static_cast<size_t>(first - token) + 1;
  if (std::memchr(first + 1, '.', signing_input_len - after_first) != nullptr) return kErrStructure;
  return VerifySignature(token, token_len, signing_input_len);
}

int HmacKey::VerifySignature(const char* token, size_t token_len, size_t signing_input_len) const {
  if (mac_len_ == 0) return kErrBadSlot;
  const char* sig = token + signing_input_len + 1;
  const size_t sig_len = token_len - signing_input_len - 1;
  size_t decoded_len = 0;
  if (Base64UrlDecodedLength(sig, sig_len, &decoded_len) != kB64Ok) return kErrBadSignature;
  // Signature length is public; a wrong length cannot match, so skip the hashing.
  if (decoded_len != mac_len_) return kMismatch;
  uint8_t given[kMaxMacLength];
  size_t given_len = 0;
  if (Base64UrlDecode(sig, sig_len, given, sizeof(given), &given_len) != kB64Ok) return kErrBadSignature;
  uint8_t mac[kMaxMacLength];
  Compute(reinterpret_cast<const uint8_t*>(token), signing_input_len, mac);
  return CRYPTO_memcmp(mac, given, mac_len_) == 0 ? kMatch : kMismatch;
}

}  // namespace portcullis
