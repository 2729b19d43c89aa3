// The one-call check of an HMAC token's signature: payload, key claim, credential and MAC in C++, unsure of anything
// else.
#ifndef PORTCULLIS_TOKEN_CHECK_H_
#define PORTCULLIS_TOKEN_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "jwt_core.h"

namespace portcullis {

// Numbers shared with the TypeScript façade (src/crypto/hmac.ts, TOKEN_CHECK).
enum TokenCheckResult : int {
  kTokenSignatureMatches = 1,
  // Definitive: Kong's flow would reach the signature check and fail it (`Invalid signature`).
  kTokenSignatureMismatch = 0,
  // Anything else: the caller runs its full flow, which decides (and answers any other refusal).
  kTokenUnsure = -1,
};

// An HMAC credential as the check needs it: its algorithm and its keyring slots (negative: unusable key material).
struct IndexedCredential {
  int alg = -1;
  int32_t slot = -1;
  int32_t slot_base64 = -1;
};

// The HMAC credentials of one config generation by their key (`iss` value), and the key claim names in use.
class CredentialIndex {
 public:
  // Adds or replaces the credential of `key`; false for an unknown algorithm or a key over kMaxTokenLength.
  bool Add(const char* key, size_t key_length, int alg, int32_t slot, int32_t slot_base64);
  // The id of a key claim name (added when new), or -1 for a name over 256 bytes.
  int ClaimNameId(const char* name, size_t name_length);
  const IndexedCredential* Find(const char* key, size_t key_length) const;
  const std::string* ClaimName(int id) const;
  void Clear();

 private:
  std::unordered_map<std::string, IndexedCredential> credentials_;
  // Find's key, its capacity kept between lookups: C++17's unordered_map has no lookup by string_view, and an
  // issuer longer than the short-string buffer (an identity provider's URL) would otherwise cost an allocation per
  // lookup. A keyring belongs to one JavaScript thread, so lookups never overlap.
  mutable std::string lookup_key_;
  std::vector<std::string> claim_names_;
};

// token[0, length) is a compact JWT (ASCII, no terminator needed) whose first segment the caller has already decoded
// to a JOSE header with algorithm `header_alg` (an Alg). Returns kTokenSignatureMismatch only when Kong's flow would:
// the payload is a JSON object (by ScanKeyClaim's rules) whose claim `claim_name_id` is a non-empty string naming an
// indexed credential of algorithm `header_alg` with a usable slot (the base64 one when `secret_is_base64`), and the
// signature segment is strict base64url of a MAC that differs. kTokenSignatureMatches when that MAC matches; every
// other case is kTokenUnsure. `scratch` holds the decoded payload (grown as needed, bounded by kMaxTokenLength).
int CheckTokenSignature(const char* token, size_t length, int header_alg, int claim_name_id, bool secret_is_base64,
                        const CredentialIndex& index, const std::vector<HmacKey>& keys, std::vector<uint8_t>* scratch);

}  // namespace portcullis

#endif  // PORTCULLIS_TOKEN_CHECK_H_
