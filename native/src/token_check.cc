// CheckTokenSignature (token_check.h): split, decode the payload, scan its key claim, find the credential, verify.
#include "token_check.h"

#include <cstring>

#include "claim_scan.h"

namespace portcullis {

namespace {
constexpr size_t kMaxClaimNameLength = 256;
constexpr size_t kMaxClaimNames = 1024;
}  // namespace

bool CredentialIndex::Add(const char* key, size_t key_length, int alg, int32_t slot, int32_t slot_base64) {
  if (alg != kHS256 && alg != kHS384 && alg != kHS512) return false;
  if (key_length > kMaxTokenLength) return false;
  IndexedCredential& entry = credentials_[std::string(key, key_length)];
  entry.alg = alg;
  entry.slot = slot;
  entry.slot_base64 = slot_base64;
  return true;
}

int CredentialIndex::ClaimNameId(const char* name, size_t name_length) {
  if (name_length > kMaxClaimNameLength) return -1;
  for (size_t i = 0; i < claim_names_.size(); i++) {
    if (claim_names_[i].size() == name_length && std::memcmp(claim_names_[i].data(), name, name_length) == 0) {
      return static_cast<int>(i);
    }
  }
  if (claim_names_.size() >= kMaxClaimNames) return -1;
  claim_names_.emplace_back(name, name_length);
  return static_cast<int>(claim_names_.size() - 1);
}

const IndexedCredential* CredentialIndex::Find(const char* key, size_t key_length) const {
  lookup_key_.assign(key, key_length);
  const auto found = credentials_.find(lookup_key_);
  return found == credentials_.end() ? nullptr : &found->second;
}

const std::string* CredentialIndex::ClaimName(int id) const {
  if (id < 0 || static_cast<size_t>(id) >= claim_names_.size()) return nullptr;
  return &claim_names_[static_cast<size_t>(id)];
}

void CredentialIndex::Clear() {
  credentials_.clear();
  claim_names_.clear();
}

int CheckTokenSignature(const char* token, size_t length, int header_alg, int claim_name_id, bool secret_is_base64,
                        const CredentialIndex& index, const std::vector<HmacKey>& keys, std::vector<uint8_t>* scratch) {
  if (length > kMaxTokenLength || !IsAscii(token, length)) return kTokenUnsure;
  const std::string* claim_name = index.ClaimName(claim_name_id);
  if (claim_name == nullptr) return kTokenUnsure;
  const char* first_dot = static_cast<const char*>(std::memchr(token, '.', length));
  if (first_dot == nullptr) return kTokenUnsure;
  const size_t payload_start = static_cast<size_t>(first_dot - token) + 1;
  const char* second_dot = static_cast<const char*>(std::memchr(token + payload_start, '.', length - payload_start));
  if (second_dot == nullptr) return kTokenUnsure;
  const size_t signing_input_length = static_cast<size_t>(second_dot - token);

  const size_t payload_length = signing_input_length - payload_start;
  // Room for any decoding of the payload, so the decoder validates and decodes in one pass.
  const size_t room = payload_length / 4 * 3 + 3;
  if (scratch->size() < room) scratch->resize(room);
  size_t written = 0;
  if (Base64UrlDecode(token + payload_start, payload_length, scratch->data(), scratch->size(), &written) != kB64Ok) {
    return kTokenUnsure;
  }
  size_t value_start = 0;
  size_t value_length = 0;
  if (ScanKeyClaim(scratch->data(), written, claim_name->data(), claim_name->size(), &value_start, &value_length) !=
      ClaimScan::kFound) {
    return kTokenUnsure;
  }
  // An empty key claim is `Invalid claim` in the full flow.
  if (value_length == 0) return kTokenUnsure;
  const IndexedCredential* credential =
      index.Find(reinterpret_cast<const char*>(scratch->data()) + value_start, value_length);
  if (credential == nullptr || credential->alg != header_alg) return kTokenUnsure;
  const int32_t slot = secret_is_base64 ? credential->slot_base64 : credential->slot;
  if (slot < 0 || static_cast<size_t>(slot) >= keys.size()) return kTokenUnsure;
  // Verify's own checks were made above (ASCII, length, the two dots).
  const int verified = keys[static_cast<size_t>(slot)].VerifySignature(token, length, signing_input_length);
  if (verified == kMatch) return kTokenSignatureMatches;
  if (verified == kMismatch) return kTokenSignatureMismatch;
  return kTokenUnsure;
}

}  // namespace portcullis
