// The pure part of the per-connection peer addresses: uWS's text form of an address, and finding which handler slot a
// uSockets setter wrote. No Node and no uSockets here, so native/test runs it under the sanitizers.
#ifndef PORTCULLIS_PEER_ADDRESSES_H_
#define PORTCULLIS_PEER_ADDRESSES_H_

#include <cstddef>
#include <cstdint>

namespace portcullis {

// The longest text: eight groups of four hex digits and seven colons.
constexpr size_t kPeerTextCapacity = 39;

struct PeerText {
  uint8_t length = 0;
  char text[kPeerTextCapacity] = {};
};

// An accepted socket's address as uWS's getRemoteAddressAsText prints it: 4 bytes as a dotted quad, 16 bytes as eight
// groups of four lower-case hex digits. false (and nothing written) for any other length.
bool FormatPeerAddress(const unsigned char* ip, int length, PeerText* out);

// `before` and `after` are copies of the same `size` bytes taken around one call of a setter that stores `written`
// in a pointer-sized, pointer-aligned slot. Returns that slot's offset and sets *replaced to what it held before; -1
// when no slot, more than one, or a slot with another value changed (the setter did not do what was expected).
std::ptrdiff_t FindWrittenSlot(const unsigned char* before, const unsigned char* after, size_t size,
                               const void* written, void** replaced);

}  // namespace portcullis

#endif  // PORTCULLIS_PEER_ADDRESSES_H_
