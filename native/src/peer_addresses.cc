// uWS's text form of a peer address, and the slot a setter wrote: see peer_addresses.h.
#include "peer_addresses.h"

#include <cstring>

namespace portcullis {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

size_t PutDecimal(unsigned value, char* out) {
  char digits[3];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  return n;
}

}  // namespace

bool FormatPeerAddress(const unsigned char* ip, int length, PeerText* out) {
  if (ip == nullptr || out == nullptr) return false;
  size_t at = 0;
  if (length == 4) {
    for (int i = 0; i < 4; i++) {
      if (i > 0) out->text[at++] = '.';
      at += PutDecimal(ip[i], out->text + at);
    }
  } else if (length == 16) {
    for (int i = 0; i < 16; i++) {
      if (i > 0 && i % 2 == 0) out->text[at++] = ':';
      out->text[at++] = kHexDigits[ip[i] >> 4];
      out->text[at++] = kHexDigits[ip[i] & 15];
    }
  } else {
    return false;
  }
  out->length = static_cast<uint8_t>(at);
  return true;
}

std::ptrdiff_t FindWrittenSlot(const unsigned char* before, const unsigned char* after, size_t size,
                               const void* written, void** replaced) {
  std::ptrdiff_t found = -1;
  for (size_t offset = 0; offset + sizeof(void*) <= size; offset += sizeof(void*)) {
    if (std::memcmp(before + offset, after + offset, sizeof(void*)) == 0) continue;
    void* now = nullptr;
    std::memcpy(&now, after + offset, sizeof(void*));
    if (found != -1 || now != written) return -1;
    found = static_cast<std::ptrdiff_t>(offset);
    std::memcpy(replaced, before + offset, sizeof(void*));
  }
  return found;
}

}  // namespace portcullis
