// The bind() interposition of bind_address.h.
#include "bind_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace sbrtkit::receiver {
namespace {
std::atomic<std::uint32_t> g_address{0};  // network byte order; 0: not set
std::atomic<std::uint16_t> g_port{0};     // host byte order
}  // namespace

Status set_listen_address(const std::string& ipv4, std::uint16_t port) {
  in_addr a{};
  if (::inet_pton(AF_INET, ipv4.c_str(), &a) != 1)
    return Error::bad_argument("--bind", "an IPv4 address such as 127.0.0.1 or 0.0.0.0", ipv4);
  g_address = a.s_addr;
  g_port = port;
  return ok();
}

}  // namespace sbrtkit::receiver

// The executable's definition wins over libc's for every shared library (DCMTK's libdcmnet included).
extern "C" int bind(int fd, const struct sockaddr* address, socklen_t length) {
  using sbrtkit::receiver::g_address;
  using sbrtkit::receiver::g_port;
  if (address && address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in)) &&
      g_port.load() != 0) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    if (in.sin_addr.s_addr == htonl(INADDR_ANY) && ntohs(in.sin_port) == g_port.load()) {
      in.sin_addr.s_addr = g_address.load();
      return static_cast<int>(::syscall(SYS_bind, fd, &in, sizeof in));
    }
  }
  return static_cast<int>(::syscall(SYS_bind, fd, address, length));
}
