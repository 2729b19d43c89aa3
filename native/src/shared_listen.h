// Listen sockets that several threads bind on one port (SO_REUSEPORT), for Node versions whose net cannot.
#ifndef PORTCULLIS_SHARED_LISTEN_H_
#define PORTCULLIS_SHARED_LISTEN_H_

#include <cstddef>

namespace portcullis {

// Longest numeric host accepted: an IPv6 literal with a scope id fits in INET6_ADDRSTRLEN + IF_NAMESIZE.
constexpr size_t kMaxListenHostLength = 64;

// Opens a non-blocking, close-on-exec TCP socket with SO_REUSEADDR and SO_REUSEPORT, binds it to
// `numeric_host` (an IPv4 or IPv6 literal; never resolved) and `port`, and listens with `backlog`.
// Returns the descriptor, or a negative errno (-EINVAL for a host that is not a literal or a value
// out of range). The caller owns the descriptor.
int ListenSharedPort(const char* numeric_host, size_t host_length, int port, int backlog);

}  // namespace portcullis

#endif  // PORTCULLIS_SHARED_LISTEN_H_
