#include "core/lua/address_guard.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <stdexcept>

namespace certctl::lua {

using Poco::Net::IPAddress;

namespace {

IPAddress unmapped(const IPAddress& address) {
  if (address.family() != IPAddress::IPv6 || !address.isIPv4Mapped()) return address;
  const auto* bytes = static_cast<const unsigned char*>(address.addr());
  return IPAddress(bytes + 12, 4);
}

bool isMetadata(const IPAddress& address) {
  static const std::vector<IPAddress> kMetadata = {
      IPAddress("169.254.169.254"), IPAddress("100.100.100.200"), IPAddress("168.63.129.16"),
      IPAddress("fd00:ec2::254")};
  return std::find(kMetadata.begin(), kMetadata.end(), address) != kMetadata.end();
}

}  // namespace

std::string refusalReason(const IPAddress& original, bool allowLoopback) {
  const IPAddress address = unmapped(original);
  const std::string shown = address.toString();
  if (isMetadata(address)) return shown + " is a cloud metadata address";
  if (address.isWildcard()) return shown + " is an unspecified address";
  if (address.isMulticast() || address.isBroadcast()) return shown + " is not a unicast address";
  if (address.isLinkLocal()) return shown + " is a link-local address";
  if (address.isLoopback() && !allowLoopback)
    return shown + " is a loopback address (CERTCTL_LUA_HTTP_ALLOW_LOOPBACK=true allows it)";
  return "";
}

std::vector<IPAddress> resolveHost(const std::string& host) {
  IPAddress literal;
  if (IPAddress::tryParse(host, literal)) return {literal};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) throw std::runtime_error("http: cannot resolve " + host + ": " + gai_strerror(rc));
  std::vector<IPAddress> addresses;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    IPAddress address(*ai->ai_addr);
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end())
      addresses.push_back(address);
  }
  ::freeaddrinfo(found);
  if (addresses.empty()) throw std::runtime_error("http: " + host + " has no address");
  return addresses;
}

}  // namespace certctl::lua
