// Listen sockets that several threads bind on one port (SO_REUSEPORT), for Node versions whose net cannot.
//
// Node's net module gained `reusePort` in 22.12. Before that, worker threads cannot share one listen
// handle, so only one thread could serve a node-engine listener. A socket opened here is handed to
// `server.listen({ fd })`: each worker opens its own on the same port and the kernel spreads new
// connections over them, as uSockets does for the uWS engine.
#include "shared_listen.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#if defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__)
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#define PORTCULLIS_HAS_REUSEPORT 1
#endif

namespace portcullis {

#if defined(PORTCULLIS_HAS_REUSEPORT)
namespace {

int SetFlag(int fd, int level, int name, int value) { return setsockopt(fd, level, name, &value, sizeof(value)); }

int Fail(int fd) {
  const int err = errno;
  close(fd);
  return -err;
}

}  // namespace

int ListenSharedPort(const char* numeric_host, size_t host_length, int port, int backlog) {
  if (numeric_host == nullptr || host_length == 0 || host_length > kMaxListenHostLength) return -EINVAL;
  if (std::memchr(numeric_host, '\0', host_length) != nullptr) return -EINVAL;
  if (port < 0 || port > 65535 || backlog < 1) return -EINVAL;
  char host[kMaxListenHostLength + 1];
  std::memcpy(host, numeric_host, host_length);
  host[host_length] = '\0';

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  char service[8];
  std::snprintf(service, sizeof(service), "%d", port);
  addrinfo* found = nullptr;
  if (getaddrinfo(host, service, &hints, &found) != 0 || found == nullptr) return -EINVAL;

  const int fd = socket(found->ai_family, SOCK_STREAM, 0);
  if (fd < 0) {
    const int err = errno;
    freeaddrinfo(found);
    return -err;
  }
  const bool ipv6 = found->ai_family == AF_INET6;
  int result = fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (result == 0) result = SetFlag(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (result == 0) result = SetFlag(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  // Node listens dual-stack on "::" (ipv6Only false); keep that.
  if (result == 0 && ipv6) result = SetFlag(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
  if (result == 0) result = bind(fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (result == 0) result = listen(fd, backlog);
  if (result != 0) return Fail(fd);
  return fd;
}
#else
int ListenSharedPort(const char*, size_t, int, int) { return -ENOSYS; }
#endif

}  // namespace portcullis
