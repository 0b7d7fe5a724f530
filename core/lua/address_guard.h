#pragma once

#include <Poco/Net/IPAddress.h>

#include <string>
#include <vector>

namespace certctl::lua {

// Why certctl.http may not connect to `address` ("" = it may): the SSRF
// guard. Unspecified, multicast, link-local (169.254.0.0/16 and fe80::/10,
// which holds the cloud metadata endpoint 169.254.169.254) and the known
// metadata addresses (100.100.100.200, 168.63.129.16, fd00:ec2::254) are
// always refused; loopback only unless `allowLoopback`. IPv4-mapped IPv6
// addresses are judged as the IPv4 address they carry.
std::string refusalReason(const Poco::Net::IPAddress& address, bool allowLoopback);

// Every address `host` resolves to (an IP literal is itself). Throws
// std::runtime_error when it does not resolve.
std::vector<Poco::Net::IPAddress> resolveHost(const std::string& host);

}  // namespace certctl::lua
