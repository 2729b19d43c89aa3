// libFuzzer harness: the pure core's verify on arbitrary bytes with fixed keys, differential base64url checks, and the
// first-request check (never refuses a request uWS serves; a refusal stays one as more bytes arrive), and the key-claim
// scan and one-call token check on the bytes as a token payload (a match or mismatch only where the scan found a usable
// credential, and then exactly the MAC's verdict).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "claim_scan.h"
#include "first_request.h"
#include "jwt_core.h"
#include "token_check.h"

using portcullis::HmacKey;

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace {

// Reference decoder written independently of the core: bit accumulator over the part before '='.
bool ReferenceDecode(const uint8_t* in, size_t len, std::vector<uint8_t>* out) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string data;
  for (size_t i = 0; i < len && in[i] != '='; i++) data.push_back(static_cast<char>(in[i]));
  if (data.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : data) {
    const char* p = c == '\0' ? nullptr : std::strchr(kAlphabet, c);
    if (p == nullptr) return false;
    acc = (acc << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  return true;
}

std::string Encode(const uint8_t* in, size_t len) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    acc = (acc << 8) | in[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      s.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) s.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return s;
}

struct Keys {
  HmacKey keys[6];
  Keys() {
    const uint8_t short_secret[] = "fuzz-secret";
    uint8_t long_secret[200];
    for (size_t i = 0; i < sizeof(long_secret); i++) long_secret[i] = static_cast<uint8_t>(i * 7);
    for (int alg = 0; alg < 3; alg++) {
      FUZZ_CHECK(keys[alg * 2].Init(alg, short_secret, sizeof(short_secret) - 1));
      FUZZ_CHECK(keys[alg * 2 + 1].Init(alg, long_secret, sizeof(long_secret)));
    }
  }
};

const Keys& FixedKeys() {
  static const Keys keys;
  return keys;
}

void CheckBase64(const uint8_t* data, size_t size) {
  std::vector<uint8_t> ref;
  const bool ok = ReferenceDecode(data, size, &ref);
  uint8_t out[96];
  size_t out_len = 0;
  size_t decoded_len = 0;
  const char* in = reinterpret_cast<const char*>(data);
  const auto r = portcullis::Base64UrlDecode(in, size, out, sizeof(out), &out_len);
  const auto r_len = portcullis::Base64UrlDecodedLength(in, size, &decoded_len);
  if (ok) {
    FUZZ_CHECK(r_len == portcullis::kB64Ok && decoded_len == ref.size());
    if (ref.size() <= sizeof(out)) {
      FUZZ_CHECK(r == portcullis::kB64Ok && out_len == ref.size());
      FUZZ_CHECK(ref.empty() || std::memcmp(out, ref.data(), ref.size()) == 0);
    } else {
      FUZZ_CHECK(r == portcullis::kB64TooLong);
    }
  } else {
    FUZZ_CHECK(r == portcullis::kB64BadChar || r == portcullis::kB64BadLength);
    FUZZ_CHECK(r_len == r);
  }
}

// Signs a sanitized copy of the input and checks the round trip and a one-character tamper.
void CheckRoundTrip(const HmacKey& key, const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  for (char& c : input) {
    if (c == '.' || static_cast<uint8_t>(c) >= 0x80) c = 'x';
  }
  const size_t dot = input.size() / 2;
  input.insert(dot, 1, '.');
  uint8_t mac[portcullis::kMaxMacLength];
  key.Compute(reinterpret_cast<const uint8_t*>(input.data()), input.size(), mac);
  const std::string sig = Encode(mac, key.mac_len());
  const std::string token = input + "." + sig;
  FUZZ_CHECK(key.Verify(token.data(), token.size(), input.size()) == portcullis::kMatch);
  const std::string padded = token + "==trailing junk after padding is ignored";
  FUZZ_CHECK(key.Verify(padded.data(), padded.size(), input.size()) == portcullis::kMatch);
  std::string tampered = token;
  char& c = tampered[input.size() + 1];  // first signature char: all its bits are data bits
  c = c == 'A' ? 'B' : 'A';
  FUZZ_CHECK(key.Verify(tampered.data(), tampered.size(), input.size()) == portcullis::kMismatch);
}

// A request uWS 20.43 serves, built from the input: method and target bytes mapped into what uWS reads, header lines
// with Host (any case) among them. Neither it nor any of its prefixes may be refused.
std::string ServedRequest(const uint8_t* data, size_t size) {
  std::string r;
  size_t i = 0;
  const auto next = [&](uint8_t fallback) -> uint8_t { return i < size ? data[i++] : fallback; };
  const size_t method = 1 + next(2) % 8;
  for (size_t k = 0; k < method; k++) r.push_back(static_cast<char>(33 + next(0) % 94));
  r += " /";
  const size_t target = next(0) % 24;
  for (size_t k = 0; k < target; k++) r.push_back(static_cast<char>(33 + next(0) % 223));
  r += " HTTP/1.1\r\n";
  const size_t headers = next(0) % 5;
  const size_t host_at = next(0) % (headers + 1);
  for (size_t h = 0; h <= headers; h++) {
    if (h == host_at) {
      static const char* const kHost[] = {"Host", "host", "HOST", "hOsT"};
      r += kHost[next(0) % 4];
    } else {
      r += "X-";
      const size_t name = next(0) % 6;
      for (size_t k = 0; k < name; k++) r.push_back(static_cast<char>('a' + next(0) % 26));
    }
    r += ": ";
    const size_t value = next(0) % 12;
    for (size_t k = 0; k < value; k++) r.push_back(static_cast<char>(32 + next(0) % 95));
    r += "\r\n";
  }
  r += "\r\n";
  while (i < size) r.push_back(static_cast<char>(next(0)));  // a body, or a pipelined request: not judged
  return r;
}

void CheckFirstRequestProperties(const uint8_t* data, size_t size) {
  using portcullis::FirstRequest;
  const std::string served = ServedRequest(data, size);
  for (size_t n = 0; n <= served.size(); n++) {
    FUZZ_CHECK(portcullis::CheckFirstRequest(served.data(), n) == FirstRequest::kLeaveToUws);
  }
  // The raw input: whatever a prefix refuses, every longer prefix refuses the same way.
  const char* bytes = reinterpret_cast<const char*>(data);
  FirstRequest decided = FirstRequest::kLeaveToUws;
  for (size_t n = 0; n <= size; n++) {
    const FirstRequest verdict = portcullis::CheckFirstRequest(bytes, n);
    if (decided != FirstRequest::kLeaveToUws) FUZZ_CHECK(verdict == decided);
    decided = verdict;
    size_t length = 0;
    const char* answer = portcullis::FirstRequestAnswer(verdict, &length);
    FUZZ_CHECK((verdict == FirstRequest::kLeaveToUws) == (length == 0) && answer != nullptr);
  }
}

// The bytes as a JWT payload: the scan's claim range stays inside them and holds only plain string characters; the
// one-call check answers a match or a mismatch only when the scan found an indexed credential of the header's
// algorithm, and then exactly what the MAC says (the token is signed right when the first byte is even).
void CheckTokenCheckProperties(const uint8_t* data, size_t size) {
  const Keys& keys = FixedKeys();
  static const std::vector<HmacKey> slots(std::begin(keys.keys), std::end(keys.keys));
  static portcullis::CredentialIndex* index = [] {
    auto* made = new portcullis::CredentialIndex();
    made->ClaimNameId("iss", 3);
    made->Add("a", 1, portcullis::kHS256, 0, 1);
    made->Add("b", 1, portcullis::kHS512, 4, -1);
    return made;
  }();
  size_t start = 0;
  size_t length = 0;
  const auto scanned = portcullis::ScanKeyClaim(data, size, "iss", 3, &start, &length);
  if (scanned == portcullis::ClaimScan::kFound) {
    FUZZ_CHECK(start <= size && length <= size - start);
    for (size_t i = start; i < start + length; i++)
      FUZZ_CHECK(data[i] >= 0x20 && data[i] < 0x80 && data[i] != '"' && data[i] != '\\');
  }
  const bool sign_right = size > 0 && data[0] % 2 == 0;
  const bool base64_slot = size > 1 && data[1] % 2 == 0;
  const int header_alg = size > 2 ? data[2] % 3 : 0;
  const std::string input = Encode(reinterpret_cast<const uint8_t*>("{}"), 2) + "." + Encode(data, size);
  const std::string key =
      scanned == portcullis::ClaimScan::kFound ? std::string(reinterpret_cast<const char*>(data) + start, length) : "";
  const bool known = key == "a" || key == "b";
  const int cred_alg = key == "b" ? portcullis::kHS512 : portcullis::kHS256;
  const int slot = key == "b" ? (base64_slot ? -1 : 4) : (base64_slot ? 1 : 0);
  const HmacKey& signer = slots[slot >= 0 ? static_cast<size_t>(slot) : 0];
  uint8_t mac[portcullis::kMaxMacLength];
  signer.Compute(reinterpret_cast<const uint8_t*>(input.data()), input.size(), mac);
  if (!sign_right) mac[0] ^= 1;
  const std::string token = input + "." + Encode(mac, signer.mac_len());
  std::vector<uint8_t> scratch;
  const int result =
      portcullis::CheckTokenSignature(token.data(), token.size(), header_alg, 0, base64_slot, *index, slots, &scratch);
  if (!known || cred_alg != header_alg || slot < 0) {
    FUZZ_CHECK(result == portcullis::kTokenUnsure);
  } else {
    FUZZ_CHECK(result == (sign_right ? portcullis::kTokenSignatureMatches : portcullis::kTokenSignatureMismatch));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > portcullis::kMaxTokenLength + 64) return 0;
  CheckBase64(data, size);
  if (size <= 2048) CheckFirstRequestProperties(data, size);
  if (size <= 8192) CheckTokenCheckProperties(data, size);
  if (size == 0) return 0;

  const Keys& keys = FixedKeys();
  const HmacKey& key = keys.keys[data[0] % 6];
  const char* token = reinterpret_cast<const char*>(data + 1);
  const size_t token_len = size - 1;

  // As the gateway calls it: signingInputLength is the second '.' (or the end when there is none).
  size_t sil = token_len;
  const void* first = std::memchr(token, '.', token_len);
  if (first != nullptr) {
    const size_t after = static_cast<size_t>(static_cast<const char*>(first) - token) + 1;
    const void* second = std::memchr(token + after, '.', token_len - after);
    if (second != nullptr) sil = static_cast<size_t>(static_cast<const char*>(second) - token);
  }
  const int code = key.Verify(token, token_len, sil);
  FUZZ_CHECK(code >= portcullis::kErrNotAscii && code <= portcullis::kMatch);
  // Arbitrary (wrong) signing input lengths must be refused or handled, never crash.
  const int wild = key.Verify(token, token_len, static_cast<size_t>(data[0]) * 3);
  FUZZ_CHECK(wild >= portcullis::kErrNotAscii && wild <= portcullis::kMatch);

  if (token_len <= 4096) CheckRoundTrip(key, data + 1, token_len);
  return 0;
}
