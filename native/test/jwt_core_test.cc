// Unit tests for the pure C++ core (no Node): RFC 4231, base64url, verify codes, shared listen sockets, peer address
// text and handler slots, uWS LoopData's mark switch, first requests uWS cannot serve, the key-claim scan and the
// one-call token check, fuzz replays.
#include "jwt_core.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "claim_scan.h"
#include "first_request.h"
#include "loop_data.h"
#include "peer_addresses.h"
#include "shared_listen.h"
#include "token_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using portcullis::HmacKey;

int g_passed = 0;
int g_failed = 0;

#define EXPECT(cond)                                                       \
  do {                                                                     \
    if (cond) {                                                            \
      g_passed++;                                                          \
    } else {                                                               \
      g_failed++;                                                          \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::vector<uint8_t> Fill(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

std::string Hex(const uint8_t* p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

HmacKey MakeKey(int alg, const std::string& secret) {
  HmacKey key;
  key.Init(alg, reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  return key;
}

int VerifyToken(const HmacKey& key, const std::string& token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  const size_t sil = second == std::string::npos ? token.size() : second;
  return key.Verify(token.data(), token.size(), sil);
}

void TestRfc4231Vectors() {
  std::vector<uint8_t> case4_key;
  for (int i = 1; i <= 25; i++) case4_key.push_back(static_cast<uint8_t>(i));
  const std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> inputs = {
      {Fill(20, 0x0b), Bytes("Hi There")},
      {Bytes("Jefe"), Bytes("what do ya want for nothing?")},
      {Fill(20, 0xaa), Fill(50, 0xdd)},
      {case4_key, Fill(50, 0xcd)},
      {Fill(20, 0x0c), Bytes("Test With Truncation")},
      {Fill(131, 0xaa), Bytes("Test Using Larger Than Block-Size Key - Hash Key First")},
      {Fill(131, 0xaa), Bytes("This is a test using a larger than block-size key and a larger than block-size data. "
                              "The key needs to be hashed before being used by the HMAC algorithm.")},
  };
  struct Vector {
    int test_case;
    int alg;
    const char* hex;  // RFC 4231 sections 4.2-4.8 (case 5 is truncated to 128 bits)
  };
  const Vector vectors[] = {
      {1, portcullis::kHS256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {1, portcullis::kHS384,
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
      {1, portcullis::kHS512,
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f17"
       "02e696c203a126854"},
      {2, portcullis::kHS256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {2, portcullis::kHS384,
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"},
      {2, portcullis::kHS512,
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4"
       "b636e070a38bce737"},
      {3, portcullis::kHS256, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {3, portcullis::kHS384,
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27"},
      {3, portcullis::kHS512,
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942"
       "674278859e13292fb"},
      {4, portcullis::kHS256, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {4, portcullis::kHS384,
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb"},
      {4, portcullis::kHS512,
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2"
       "de2adebeb10a298dd"},
      {5, portcullis::kHS256, "a3b6167473100ee06e0c796c2955552b"},
      {5, portcullis::kHS384, "3abf34c3503b2a23a46efc619baef897"},
      {5, portcullis::kHS512, "415fad6271580a531d4179bc891d87a6"},
      {6, portcullis::kHS256, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {6, portcullis::kHS384,
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952"},
      {6, portcullis::kHS512,
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0ae"
       "c8b915a985d786598"},
      {7, portcullis::kHS256, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
      {7, portcullis::kHS384,
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e"},
      {7, portcullis::kHS512,
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446"
       "065c97440fa8c6a58"},
  };
  for (const Vector& v : vectors) {
    const auto& [key_bytes, data] = inputs[v.test_case - 1];
    HmacKey key;
    EXPECT(key.Init(v.alg, key_bytes.data(), key_bytes.size()));
    uint8_t mac[portcullis::kMaxMacLength];
    key.Compute(data.data(), data.size(), mac);
    const std::string expected = v.hex;
    const std::string got = Hex(mac, key.mac_len()).substr(0, expected.size());
    if (got != expected) std::fprintf(stderr, "RFC 4231 case %d alg %d: got %s\n", v.test_case, v.alg, got.c_str());
    EXPECT(got == expected);
    // The precomputed state is reused: a second MAC with the same key gives the same bytes.
    uint8_t again[portcullis::kMaxMacLength];
    key.Compute(data.data(), data.size(), again);
    EXPECT(std::memcmp(mac, again, key.mac_len()) == 0);
  }
}

portcullis::Base64Result Decode(const std::string& in, std::string* out, size_t cap = 256) {
  uint8_t buf[256];
  size_t n = 0;
  const auto r = portcullis::Base64UrlDecode(in.data(), in.size(), buf, cap, &n);
  if (r == portcullis::kB64Ok) out->assign(reinterpret_cast<char*>(buf), n);
  return r;
}

void TestBase64Url() {
  std::string out;
  EXPECT(Decode("", &out) == portcullis::kB64Ok && out.empty());
  EXPECT(Decode("Zg", &out) == portcullis::kB64Ok && out == "f");
  EXPECT(Decode("Zm8", &out) == portcullis::kB64Ok && out == "fo");
  EXPECT(Decode("Zm9v", &out) == portcullis::kB64Ok && out == "foo");
  EXPECT(Decode("Zm9vYg", &out) == portcullis::kB64Ok && out == "foob");
  EXPECT(Decode("Zm9vYmE", &out) == portcullis::kB64Ok && out == "fooba");
  EXPECT(Decode("Zm9vYmFy", &out) == portcullis::kB64Ok && out == "foobar");
  // '=' padding is optional and everything from the first '=' on is ignored (nginx).
  EXPECT(Decode("Zg==", &out) == portcullis::kB64Ok && out == "f");
  EXPECT(Decode("Zg=", &out) == portcullis::kB64Ok && out == "f");
  EXPECT(Decode("Zm8=", &out) == portcullis::kB64Ok && out == "fo");
  EXPECT(Decode("Zg=!!not base64", &out) == portcullis::kB64Ok && out == "f");
  EXPECT(Decode("=Zm9v", &out) == portcullis::kB64Ok && out.empty());
  // url alphabet only
  EXPECT(Decode("-_-_", &out) == portcullis::kB64Ok && out == "\xfb\xff\xbf");
  EXPECT(Decode("+/+/", &out) == portcullis::kB64BadChar);
  EXPECT(Decode("ab+d", &out) == portcullis::kB64BadChar);
  EXPECT(Decode("ab/d", &out) == portcullis::kB64BadChar);
  EXPECT(Decode("ab.d", &out) == portcullis::kB64BadChar);
  EXPECT(Decode("ab d", &out) == portcullis::kB64BadChar);
  EXPECT(Decode(std::string("ab\0d", 4), &out) == portcullis::kB64BadChar);
  EXPECT(Decode("ab\xc3\xa9", &out) == portcullis::kB64BadChar);
  // a data length of 1 mod 4 is invalid, with or without padding
  EXPECT(Decode("Z", &out) == portcullis::kB64BadLength);
  EXPECT(Decode("Zm9vY", &out) == portcullis::kB64BadLength);
  EXPECT(Decode("Zm9vY===", &out) == portcullis::kB64BadLength);
  // unused low bits of the last character are ignored, as nginx does
  EXPECT(Decode("Zh", &out) == portcullis::kB64Ok && out == "f");
  // bounded output
  EXPECT(Decode("Zm9vYmFy", &out, 5) == portcullis::kB64TooLong);
  EXPECT(Decode("Zm9vYmFy", &out, 6) == portcullis::kB64Ok && out == "foobar");
  // Past the first quartets: a bad character, a '=' inside a quartet, a bad length.
  EXPECT(Decode("Zm9vYmFy+mF6", &out) == portcullis::kB64BadChar);
  EXPECT(Decode("Zm9vYmFyYm=!", &out) == portcullis::kB64Ok && out == "foobarb");
  EXPECT(Decode("Zm9vYmFyY===", &out) == portcullis::kB64BadLength);
  EXPECT(Decode("Zm9vYmFyYmF6Z", &out) == portcullis::kB64BadLength);
  // With room for any decoding the decoder validates while it decodes; with room for this one only, it validates
  // first: the same answers.
  for (const std::string text : {"Zm9vYmFyYmF6", "Zm9vYmFy+mF6", "Zm9vYmFyYm=!", "Zm9vYmFyY===", "Zm9vYmFyYmF6Zg",
                                 "Zm9vYmFyYmF6Z", "Zm9vYmFyYmF6Zm9vYmFyYmF6.", "Zg=Zm9v"}) {
    size_t exact = 0;
    std::string roomy;
    std::string tight = "unset";
    const auto roomy_result = Decode(text, &roomy);
    const auto length_result = portcullis::Base64UrlDecodedLength(text.data(), text.size(), &exact);
    EXPECT(roomy_result == length_result);
    if (length_result == portcullis::kB64Ok) {
      EXPECT(exact < text.size() / 4 * 3 + 2);  // so the tight decoding below takes the careful path
      EXPECT(Decode(text, &tight, exact) == portcullis::kB64Ok && tight == roomy);
    }
  }
  size_t len = 99;
  EXPECT(portcullis::Base64UrlDecodedLength("Zm9vYmE", 7, &len) == portcullis::kB64Ok && len == 5);
  EXPECT(portcullis::Base64UrlDecodedLength("Zm9v+", 5, &len) == portcullis::kB64BadChar);
}

void TestVerify() {
  const HmacKey hs256 = MakeKey(portcullis::kHS256, "your-256-bit-secret");
  const std::string jwt_io =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
      ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  EXPECT(VerifyToken(hs256, jwt_io) == portcullis::kMatch);
  EXPECT(VerifyToken(hs256, jwt_io + "=") == portcullis::kMatch);
  // The signature step alone (what the one-call check uses after its own structure checks) answers the same.
  {
    const size_t sil = jwt_io.rfind('.');
    std::string tampered = jwt_io;
    tampered[sil + 1] = tampered[sil + 1] == 'A' ? 'B' : 'A';
    std::string bad_char = jwt_io;
    bad_char[sil + 1] = '+';
    for (const std::string& token : {jwt_io, jwt_io + "=", tampered, bad_char, jwt_io.substr(0, sil + 5)}) {
      EXPECT(hs256.VerifySignature(token.data(), token.size(), sil) == hs256.Verify(token.data(), token.size(), sil));
    }
    EXPECT(hs256.VerifySignature(tampered.data(), tampered.size(), sil) == portcullis::kMismatch);
    EXPECT(hs256.VerifySignature(bad_char.data(), bad_char.size(), sil) == portcullis::kErrBadSignature);
  }
  EXPECT(VerifyToken(MakeKey(portcullis::kHS256, "wrong-secret"), jwt_io) == portcullis::kMismatch);
  std::string tampered = jwt_io;
  tampered[40] = tampered[40] == 'A' ? 'B' : 'A';
  EXPECT(VerifyToken(hs256, tampered) == portcullis::kMismatch);
  EXPECT(VerifyToken(hs256, jwt_io.substr(0, jwt_io.size() - 1)) == portcullis::kMismatch);         // truncated
  EXPECT(VerifyToken(hs256, jwt_io.substr(0, jwt_io.size() - 2)) == portcullis::kErrBadSignature);  // 41: 1 mod 4
  EXPECT(VerifyToken(hs256, jwt_io + "A") == portcullis::kMismatch);                    // decodes to 33 bytes
  EXPECT(VerifyToken(hs256, jwt_io + "AAAA") == portcullis::kMismatch);                 // decodes to 35 bytes
  EXPECT(VerifyToken(hs256, jwt_io + std::string(200, 'A')) == portcullis::kMismatch);  // far longer than a MAC
  EXPECT(VerifyToken(hs256, jwt_io + "AA") == portcullis::kErrBadSignature);            // 45 chars: 1 mod 4
  EXPECT(VerifyToken(hs256, jwt_io.substr(0, jwt_io.rfind('.') + 1)) == portcullis::kMismatch);  // empty signature
  std::string plus = jwt_io;
  plus[plus.rfind('_')] = '/';
  EXPECT(VerifyToken(hs256, plus) == portcullis::kErrBadSignature);
  EXPECT(VerifyToken(hs256, jwt_io + ".extra") == portcullis::kErrBadSignature);  // 4 segments
  EXPECT(VerifyToken(hs256, "no-dots-at-all") == portcullis::kErrStructure);
  EXPECT(hs256.Verify(jwt_io.data(), jwt_io.size(), 5) == portcullis::kErrStructure);
  EXPECT(hs256.Verify(jwt_io.data(), jwt_io.size(), jwt_io.size()) == portcullis::kErrStructure);
  EXPECT(hs256.Verify(jwt_io.data(), jwt_io.size(), 36) == portcullis::kErrStructure);  // first dot, not second
  std::string non_ascii = jwt_io;
  non_ascii[10] = static_cast<char>(0xe9);
  EXPECT(VerifyToken(hs256, non_ascii) == portcullis::kErrNotAscii);
  std::string huge = jwt_io + std::string(portcullis::kMaxTokenLength, 'A');
  EXPECT(VerifyToken(hs256, huge) == portcullis::kErrTooLong);

  const std::string hs384_token =
      "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwb3J0Y3VsbGlzIn0."
      "rvckS_DsXN-qj7kYKT3rgX8GPcJbjOJUvtqj2s25M8XJASNb2Y_TtAC99-FVEG_W";
  const std::string hs512_token =
      "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwb3J0Y3VsbGlzIn0."
      "J5H90OnpU-kEarF91bsPod0PHmtEVZT8QD1jRJMIxXRHbCRNB_B7mP6M5_FPS4-7eYBtMiigvlVrY9o-rQksqQ";
  EXPECT(VerifyToken(MakeKey(portcullis::kHS384, "s3cr3t"), hs384_token) == portcullis::kMatch);
  EXPECT(VerifyToken(MakeKey(portcullis::kHS512, "s3cr3t"), hs512_token) == portcullis::kMatch);
  EXPECT(VerifyToken(MakeKey(portcullis::kHS512, "s3cr3t"), hs384_token) == portcullis::kMismatch);
  EXPECT(VerifyToken(MakeKey(portcullis::kHS256, "s3cr3t"), hs512_token) == portcullis::kMismatch);

  HmacKey empty;
  EXPECT(!empty.ready());
  EXPECT(empty.Verify(jwt_io.data(), jwt_io.size(), 10) == portcullis::kErrBadSlot);
  HmacKey bad;
  EXPECT(!bad.Init(7, reinterpret_cast<const uint8_t*>("k"), 1));
  std::vector<uint8_t> too_long(portcullis::kMaxSecretLength + 1, 1);
  EXPECT(!bad.Init(portcullis::kHS256, too_long.data(), too_long.size()));
  EXPECT(bad.Init(portcullis::kHS256, nullptr, 0));  // empty secret is a valid HMAC key
}

// The scan's answer for `text` and claim `name`; the found value in *value.
portcullis::ClaimScan Scan(const std::string& text, const std::string& name, std::string* value = nullptr) {
  size_t start = 0;
  size_t length = 0;
  const auto bytes = Bytes(text);
  const auto result = portcullis::ScanKeyClaim(bytes.data(), bytes.size(), name.data(), name.size(), &start, &length);
  if (value != nullptr && result == portcullis::ClaimScan::kFound) *value = text.substr(start, length);
  return result;
}

void TestClaimScan() {
  using portcullis::ClaimScan;
  std::string value;
  EXPECT(Scan(R"({"iss":"alice"})", "iss", &value) == ClaimScan::kFound && value == "alice");
  EXPECT(Scan(" \t\r\n{ \"sub\" : [1, {\"a\": null}], \"iss\" : \"k\" , \"n\": -0.5e+3 }\n", "iss", &value) ==
             ClaimScan::kFound &&
         value == "k");
  EXPECT(Scan(R"({"iss":"a","iss":"b"})", "iss", &value) == ClaimScan::kFound && value == "b");  // the last one
  EXPECT(Scan(R"({"iss":""})", "iss", &value) == ClaimScan::kFound && value.empty());
  EXPECT(Scan(R"({"sub":"x\"y\u00e9"})", "iss") == ClaimScan::kAbsent);  // escapes elsewhere are fine
  EXPECT(Scan("{}", "iss") == ClaimScan::kAbsent);
  EXPECT(Scan(R"({"is":"a","iss ":"b"})", "iss") == ClaimScan::kAbsent);
  // Not sure: JSON.parse decides.
  for (const char* text : {
           R"({"i\u0073s":"a"})",   // an escaped name might be the claim
           R"({"iss":"a\u0062"})",  // an escaped value
           R"({"iss":1})",          // not a string
           R"(["iss","a"])",        // not an object
           R"("iss")",
           "",
           "{",
           R"({"iss":"a")",
           R"({"iss":"a"} x)",
           R"({"iss":"a",})",
           R"({"a":01})",
           R"({"a":1.})",
           R"({"a":.5})",
           R"({"a":+1})",
           R"({"a":tru})",
           R"({"a":"\x"})",
           "{\"a\":\"\x01\"}",
           "{\"iss\":\"caf\xc3\xa9\"}",  // a byte >= 0x80
           R"({'iss':'a'})",
           R"({"a" "b"})",
           R"({"a":1 "b":2})",
       }) {
    EXPECT(Scan(text, "iss") == ClaimScan::kUnsure);
  }
  // Nesting: up to kMaxScanDepth levels are read, deeper is left to JSON.parse; never a crash.
  std::string deep = R"({"a":)";
  for (int i = 0; i < portcullis::kMaxScanDepth - 1; i++) deep += "[";
  for (int i = 0; i < portcullis::kMaxScanDepth - 1; i++) deep += "]";
  EXPECT(Scan(deep + R"(,"iss":"x"})", "iss") == ClaimScan::kFound);
  EXPECT(Scan(R"({"a":[)" + deep + "]" + R"(,"iss":"x"})", "iss") == ClaimScan::kUnsure);
  EXPECT(Scan(R"({"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}", "iss") == ClaimScan::kUnsure);
}

std::string Base64Url(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (bytes.size() - i == 1) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (bytes.size() - i == 2) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

// A compact JWT with header {"alg":"HS256"}, payload `payload` (JSON text), signed with `key`.
std::string SignedToken(const HmacKey& key, const std::string& payload) {
  const std::string input = Base64Url(R"({"alg":"HS256"})") + "." + Base64Url(payload);
  uint8_t mac[portcullis::kMaxMacLength];
  key.Compute(reinterpret_cast<const uint8_t*>(input.data()), input.size(), mac);
  return input + "." + Base64Url(std::string(reinterpret_cast<const char*>(mac), key.mac_len()));
}

void TestTokenCheck() {
  using portcullis::kTokenSignatureMatches;
  using portcullis::kTokenSignatureMismatch;
  using portcullis::kTokenUnsure;
  std::vector<HmacKey> keys = {MakeKey(portcullis::kHS256, "alice-secret"), MakeKey(portcullis::kHS256, "decoded")};
  portcullis::CredentialIndex index;
  EXPECT(index.Add("alice", 5, portcullis::kHS256, 0, 1));
  EXPECT(index.Add("no-secret", 9, portcullis::kHS256, -2, -2));
  EXPECT(index.Add("hs512", 5, portcullis::kHS512, 0, 0));
  EXPECT(!index.Add("bad-alg", 7, 9, 0, 0));
  const int iss = index.ClaimNameId("iss", 3);
  EXPECT(iss == 0 && index.ClaimNameId("iss", 3) == 0 && index.ClaimNameId("kid", 3) == 1);
  EXPECT(index.ClaimNameId(std::string(300, 'x').data(), 300) == -1);
  std::vector<uint8_t> scratch;
  const auto check = [&](const std::string& token, int alg = portcullis::kHS256, int claim = 0, bool base64 = false) {
    return portcullis::CheckTokenSignature(token.data(), token.size(), alg, claim, base64, index, keys, &scratch);
  };
  const std::string good = SignedToken(keys[0], R"({"iss":"alice","sub":"x"})");
  const std::string forged = SignedToken(MakeKey(portcullis::kHS256, "guess"), R"({"iss":"alice","sub":"x"})");
  EXPECT(check(good) == kTokenSignatureMatches);
  EXPECT(check(forged) == kTokenSignatureMismatch);
  EXPECT(check(good + "=ignored") == kTokenSignatureMatches);  // nginx reads the signature up to its first '='
  EXPECT(check(forged, portcullis::kHS256, 0, true) == kTokenSignatureMismatch);  // the secret_is_base64 slot
  EXPECT(check(good, portcullis::kHS256, 0, true) == kTokenSignatureMismatch);
  // Unsure wherever the full flow has something else to say, or might.
  EXPECT(check(forged, portcullis::kHS384) == kTokenUnsure);     // `Invalid algorithm`
  EXPECT(check(forged, portcullis::kHS256, 1) == kTokenUnsure);  // no `kid` claim: the header's is read next
  EXPECT(check(forged, portcullis::kHS256, 7) == kTokenUnsure);  // no such claim name id
  EXPECT(check(SignedToken(keys[0], R"({"iss":"nobody"})")) == kTokenUnsure);     // `No credentials found`
  EXPECT(check(SignedToken(keys[0], R"({"iss":""})")) == kTokenUnsure);           // `Invalid claim`
  EXPECT(check(SignedToken(keys[0], R"({"iss":"no-secret"})")) == kTokenUnsure);  // unusable slot
  EXPECT(check(SignedToken(keys[0], R"({"iss":"al\u0069ce"})")) == kTokenUnsure);
  EXPECT(check(SignedToken(keys[0], R"({"iss":"alice")")) == kTokenUnsure);  // `Bad token; invalid JSON`
  EXPECT(check(SignedToken(keys[0], R"(["alice"])")) == kTokenUnsure);
  EXPECT(check(forged + ".x") == kTokenUnsure);  // four segments: `Bad token; invalid signature`
  std::string bad_char = forged;
  bad_char[bad_char.size() - 3] = '+';
  EXPECT(check(bad_char) == kTokenUnsure);
  const size_t dot = forged.find('.');
  EXPECT(check(forged.substr(0, dot + 1) + "e30" + forged.substr(forged.rfind('.'))) == kTokenUnsure);  // {}: absent
  EXPECT(check(forged.substr(0, dot + 1) + "!!!!" + forged.substr(forged.rfind('.'))) == kTokenUnsure);
  EXPECT(check(forged.substr(0, dot)) == kTokenUnsure);
  EXPECT(check(forged.substr(0, forged.rfind('.'))) == kTokenUnsure);
  EXPECT(check("") == kTokenUnsure);
  std::string non_ascii = forged;
  non_ascii[non_ascii.size() - 1] = static_cast<char>(0xe9);
  EXPECT(check(non_ascii) == kTokenUnsure);
  EXPECT(check(forged + std::string(portcullis::kMaxTokenLength, 'A')) == kTokenUnsure);
  // A big payload grows the scratch and still decides.
  const std::string big = SignedToken(MakeKey(portcullis::kHS256, "guess"),
                                      R"({"iss":"alice","pad":")" + std::string(60000, 'p') + R"("})");
  EXPECT(check(big) == kTokenSignatureMismatch);
  // Keys past a short string's buffer (an identity provider's issuer URL), found in turn with a short one: the
  // lookup key's buffer is reused, so each lookup must see only its own key.
  const std::string issuer = "https://auth.example.com/tenants/acme";
  const std::string longer = issuer + "/and-more-than-that";
  EXPECT(index.Add(issuer.data(), issuer.size(), portcullis::kHS256, 0, 1));
  EXPECT(index.Add(longer.data(), longer.size(), portcullis::kHS384, 0, 1));
  for (const std::string& key : {longer, issuer, std::string("alice"), issuer, longer}) {
    const portcullis::IndexedCredential* found = index.Find(key.data(), key.size());
    EXPECT(found != nullptr && found->alg == (key == longer ? portcullis::kHS384 : portcullis::kHS256));
  }
  EXPECT(index.Find(issuer.data(), issuer.size() - 1) == nullptr);
  EXPECT(check(SignedToken(keys[0], R"({"iss":")" + issuer + R"("})")) == kTokenSignatureMatches);
  EXPECT(check(SignedToken(MakeKey(portcullis::kHS256, "guess"), R"({"iss":")" + issuer + R"("})")) ==
         kTokenSignatureMismatch);
  index.Clear();
  EXPECT(check(forged) == kTokenUnsure);
}

// Runs every file under a directory through the fuzz target (which aborts on a failed check).
int RunDirectory(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  int count = 0;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(dir + "/" + e->d_name, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(data.data(), data.size());
    count++;
  }
  closedir(d);
  return count;
}

int BoundPort(int fd) {
  sockaddr_in6 address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  return ntohs(address.sin6_port);  // sin_port and sin6_port sit at the same offset
}

void TestListenSharedPort() {
  using portcullis::ListenSharedPort;
  const std::string loopback = "127.0.0.1";
  const int first = ListenSharedPort(loopback.data(), loopback.size(), 0, 16);
  EXPECT(first >= 0);
  const int port = BoundPort(first);
  EXPECT(port > 0);
  // A second socket binds the same port: that is the point of SO_REUSEPORT.
  const int second = ListenSharedPort(loopback.data(), loopback.size(), port, 16);
  EXPECT(second >= 0 && BoundPort(second) == port);
  if (first >= 0) close(first);
  if (second >= 0) close(second);
  const std::string any6 = "::";
  const int dual = ListenSharedPort(any6.data(), any6.size(), 0, 16);
  EXPECT(dual >= 0);
  if (dual >= 0) close(dual);
  // Refused before any system call: not a literal, too long, embedded NUL, out-of-range numbers.
  const std::string name = "localhost";
  EXPECT(ListenSharedPort(name.data(), name.size(), 0, 16) == -EINVAL);
  const std::string long_host(portcullis::kMaxListenHostLength + 1, '1');
  EXPECT(ListenSharedPort(long_host.data(), long_host.size(), 0, 16) == -EINVAL);
  const std::string with_nul("127.0.0.1\0x", 11);
  EXPECT(ListenSharedPort(with_nul.data(), with_nul.size(), 0, 16) == -EINVAL);
  EXPECT(ListenSharedPort(loopback.data(), loopback.size(), 65536, 16) == -EINVAL);
  EXPECT(ListenSharedPort(loopback.data(), loopback.size(), -1, 16) == -EINVAL);
  EXPECT(ListenSharedPort(loopback.data(), loopback.size(), 0, 0) == -EINVAL);
  EXPECT(ListenSharedPort(nullptr, 0, 0, 16) == -EINVAL);
}

std::string PeerTextOf(const std::vector<uint8_t>& ip) {
  portcullis::PeerText text;
  if (!portcullis::FormatPeerAddress(ip.data(), static_cast<int>(ip.size()), &text)) return "<none>";
  return std::string(text.text, text.length);
}

void TestFormatPeerAddress() {
  // uWS's getRemoteAddressAsText: dotted quads, and IPv6 as eight zero-padded lower-case groups.
  EXPECT(PeerTextOf({127, 0, 0, 1}) == "127.0.0.1");
  EXPECT(PeerTextOf({0, 0, 0, 0}) == "0.0.0.0");
  EXPECT(PeerTextOf({255, 255, 255, 255}) == "255.255.255.255");
  EXPECT(PeerTextOf({10, 200, 3, 45}) == "10.200.3.45");
  std::vector<uint8_t> loopback6(16, 0);
  loopback6[15] = 1;
  EXPECT(PeerTextOf(loopback6) == "0000:0000:0000:0000:0000:0000:0000:0001");
  const std::vector<uint8_t> mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7};
  EXPECT(PeerTextOf(mapped) == "0000:0000:0000:0000:0000:ffff:c000:0207");
  EXPECT(PeerTextOf(Fill(16, 0xff)) == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT(PeerTextOf(Fill(16, 0xff)).size() == portcullis::kPeerTextCapacity);
  // Any other length (a Unix socket's 0 included) is not an address uWS would print.
  EXPECT(PeerTextOf({}) == "<none>");
  EXPECT(PeerTextOf({1, 2, 3}) == "<none>");
  EXPECT(PeerTextOf(Fill(5, 1)) == "<none>");
  EXPECT(PeerTextOf(Fill(17, 1)) == "<none>");
  portcullis::PeerText text;
  EXPECT(!portcullis::FormatPeerAddress(nullptr, 4, &text));
  // Random addresses against uWS's own formatting (snprintf with the same patterns).
  uint32_t seed = 12345;
  for (int round = 0; round < 20000; round++) {
    std::vector<uint8_t> ip(round % 2 == 0 ? 4 : 16);
    for (uint8_t& byte : ip) {
      seed = seed * 1103515245u + 12345u;
      byte = static_cast<uint8_t>(seed >> 16);
    }
    char expected[64];
    const uint8_t* b = ip.data();
    if (ip.size() == 4) {
      std::snprintf(expected, sizeof(expected), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    } else {
      std::snprintf(expected, sizeof(expected),
                    "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x", b[0], b[1], b[2], b[3],
                    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    }
    if (PeerTextOf(ip) != expected) {
      EXPECT(PeerTextOf(ip) == expected);
      break;
    }
  }
}

void TestFindWrittenSlot() {
  using portcullis::FindWrittenSlot;
  void* words[8] = {};
  for (size_t i = 0; i < 8; i++) words[i] = reinterpret_cast<void*>(0x1000 + i);
  unsigned char before[sizeof(words)];
  std::memcpy(before, words, sizeof(words));
  int ours = 0;
  void* written = &ours;
  // One slot set to ours: its offset and what it held.
  words[3] = written;
  void* replaced = nullptr;
  EXPECT(FindWrittenSlot(before, reinterpret_cast<unsigned char*>(words), sizeof(words), written, &replaced) ==
         static_cast<std::ptrdiff_t>(3 * sizeof(void*)));
  EXPECT(replaced == reinterpret_cast<void*>(0x1003));
  // Two slots changed, or one to another value, or none: not found.
  words[5] = written;
  EXPECT(FindWrittenSlot(before, reinterpret_cast<unsigned char*>(words), sizeof(words), written, &replaced) == -1);
  words[5] = reinterpret_cast<void*>(0x1005);
  words[3] = reinterpret_cast<void*>(0x9999);
  EXPECT(FindWrittenSlot(before, reinterpret_cast<unsigned char*>(words), sizeof(words), written, &replaced) == -1);
  words[3] = reinterpret_cast<void*>(0x1003);
  EXPECT(FindWrittenSlot(before, reinterpret_cast<unsigned char*>(words), sizeof(words), written, &replaced) == -1);
  // A size that is not a whole number of slots: the partial tail is not compared.
  words[7] = written;
  EXPECT(FindWrittenSlot(before, reinterpret_cast<unsigned char*>(words), sizeof(words) - 1, written, &replaced) == -1);
  EXPECT(FindWrittenSlot(before, reinterpret_cast<unsigned char*>(words), sizeof(words), written, &replaced) ==
         static_cast<std::ptrdiff_t>(7 * sizeof(void*)));
}

// A LoopData-sized block of 0xab with `date_of`'s Date text at the pinned offset and `no_mark` where noMark is.
std::vector<unsigned char> LoopDataWith(time_t date_of, unsigned char no_mark) {
  std::vector<unsigned char> block(288, 0xab);
  char date[32];
  portcullis::FormatUwsDate(date_of, date);
  std::memcpy(block.data() + portcullis::kLoopDataDateOffset, date, 30);
  block[portcullis::kLoopDataNoMarkOffset] = no_mark;
  return block;
}

void TestSilenceMark() {
  using portcullis::kLoopDataNoMarkOffset;
  using portcullis::SilenceMark;
  char date[32];
  portcullis::FormatUwsDate(0, date);
  EXPECT(std::string(date) == "Thu, 01 Jan 1970 00:00:00 GMT");
  portcullis::FormatUwsDate(1796526000, date);
  EXPECT(std::string(date) == "Sun, 06 Dec 2026 03:00:00 GMT");
  const time_t now = 1796526000;
  // A recent Date text (from a second ahead to five minutes back): the switch is set, and nothing else is written.
  for (time_t age : {-1L, 0L, 3L, 300L}) {
    std::vector<unsigned char> block = LoopDataWith(now - age, 0);
    std::vector<unsigned char> expected = block;
    expected[kLoopDataNoMarkOffset] = 1;
    EXPECT(SilenceMark(block.data(), now));
    EXPECT(block == expected);
  }
  std::vector<unsigned char> silent = LoopDataWith(now, 1);
  EXPECT(SilenceMark(silent.data(), now));
  EXPECT(silent[kLoopDataNoMarkOffset] == 1);
  // Anything else is not the layout it was checked with: nothing is written.
  std::vector<std::vector<unsigned char>> refused = {LoopDataWith(now - 301, 0), LoopDataWith(now + 2, 0),
                                                     LoopDataWith(now, 2), LoopDataWith(now, 0xab)};
  refused.push_back(LoopDataWith(now, 0));
  refused.back()[portcullis::kLoopDataDateOffset + 29] = 'x';
  refused.push_back(LoopDataWith(now, 0));
  refused.back()[portcullis::kLoopDataDateOffset + 5] = '7';
  for (std::vector<unsigned char>& block : refused) {
    const std::vector<unsigned char> before = block;
    EXPECT(!SilenceMark(block.data(), now));
    EXPECT(block == before);
  }
  EXPECT(!SilenceMark(nullptr, now));
}

portcullis::FirstRequest FirstOf(const std::string& bytes) {
  return portcullis::CheckFirstRequest(bytes.data(), bytes.size());
}

void TestFirstRequest() {
  using portcullis::FirstRequest;
  const FirstRequest leave = FirstRequest::kLeaveToUws;
  const FirstRequest bad = FirstRequest::kBadRequest;
  const FirstRequest version = FirstRequest::kVersionNotSupported;
  // What uWS 20.43 serves, whole or still arriving, is left to it.
  const std::string served = "GET /a?b=c HTTP/1.1\r\nAccept: */*\r\nHost: x\r\n\r\nbody bytes";
  for (size_t n = 0; n <= served.size(); n++) EXPECT(FirstOf(served.substr(0, n)) == leave);
  EXPECT(FirstOf("PROPFIND /\x80\xff HTTP/1.1\r\nHOST:\r\n\r\n") == leave);
  EXPECT(FirstOf(" / HTTP/1.1\r\nhost: x\r\n\r\n") == leave);  // uWS reads an empty method too
  EXPECT(FirstOf("GET / HTTP/1.1\r\nX: a\rb\r\nHost: x\r\n\r\n") == leave);
  // A PROXY v2 preamble, which this uWS build strips itself, and bytes too short to tell.
  EXPECT(FirstOf(std::string("\r\n\r\n\0\r\nQUIT\n!\x11\0\x0c", 16) + "GET / HTTP/1.0\r\n\r\n") == leave);
  EXPECT(FirstOf("GET") == leave);
  EXPECT(portcullis::CheckFirstRequest(nullptr, 10) == leave);
  // Another HTTP version of a line uWS could otherwise read: 505, as soon as its CRLF is there.
  EXPECT(FirstOf("GET / HTTP/1.0\r\n") == version);
  EXPECT(FirstOf("GET /x HTTP/1.0\r\nHost: x\r\n\r\n") == version);
  EXPECT(FirstOf("GET / HTTP/2.0\r\n") == version);
  EXPECT(FirstOf("GET / HTTP/1.0") == leave);  // its end not there yet: uWS waits, and so does the check
  // Lines uWS can never read, and heads without Host: 400 as soon as the byte that decides it is there.
  for (const char* line : {"GET http://x/ HTTP/1.1\r\n", "OPTIONS * HTTP/1.1\r\n", "CONNECT x:443 HTTP/1.1\r\n",
                           "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET / HTTP/1.1\nHost: x\n\n", "GET  / HTTP/1.1\r\n",
                           "GET /a b HTTP/1.1\r\n", "\x16\x03\x01\x02\x00\x01", "GET / HTTP/1.1\r\n\r\n",
                           "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
                           "GET / HTTP/1.1\r\nX-Host: x\r\n\r\n", "GET / HTTP/1.x\r\n"}) {
    EXPECT(FirstOf(line) == bad);
  }
  EXPECT(FirstOf("GET /x") == leave);
  // uWS reads a method while its `char` bytes are above 32: where `char` is signed, a byte over 0x7f ends it.
  EXPECT(FirstOf("G\xc3\xa9T / HTTP/1.1\r\n") == (static_cast<char>(0xc3) < 0 ? bad : leave));
  // The answers: the gateway's JSON shape, lengths that match.
  size_t length = 0;
  const char* text = portcullis::FirstRequestAnswer(bad, &length);
  const std::string answer400(text, length);
  EXPECT(answer400 ==
         "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 25\r\n"
         "Connection: close\r\n\r\n{\"message\":\"Bad request\"}");
  text = portcullis::FirstRequestAnswer(version, &length);
  const std::string answer505(text, length);
  EXPECT(answer505.find("HTTP/1.1 505 HTTP Version Not Supported\r\n") == 0);
  EXPECT(answer505.size() - answer505.find("\r\n\r\n") - 4 == 40);
  EXPECT(portcullis::FirstRequestAnswer(leave, &length)[0] == '\0' && length == 0);
}

}  // namespace

int main(int argc, char** argv) {
  TestRfc4231Vectors();
  TestBase64Url();
  TestVerify();
  TestListenSharedPort();
  TestFormatPeerAddress();
  TestFindWrittenSlot();
  TestSilenceMark();
  TestFirstRequest();
  TestClaimScan();
  TestTokenCheck();
  const std::string fuzz_dir = argc > 1 ? argv[1] : "native/fuzz";
  const int replayed = RunDirectory(fuzz_dir + "/corpus") + RunDirectory(fuzz_dir + "/regressions");
  g_passed += replayed;
  std::printf("native core: replayed %d fuzz corpus/regression inputs\n", replayed);
  std::printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
