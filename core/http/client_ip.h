#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certctl::http {

// The client address used as the rate-limit key and in audit/log lines.
//
// It is the socket peer, because X-Forwarded-For is written by whoever sends
// the request. Only when the peer is one of `trustedProxies` (exact IPs) is
// X-Forwarded-For read, right to left, skipping trusted hops: the right-most
// untrusted hop is the first address no trusted proxy would have let a client
// forge. A malformed hop stops the walk at the nearest trusted address.
// Multiple X-Forwarded-For header lines must be joined with "," in order.
//
// Addresses are canonical: port and brackets stripped, IPv6 zone id dropped,
// IPv6 compressed lower-case, IPv4-mapped IPv6 (::ffff:1.2.3.4) as 1.2.3.4,
// so one client cannot appear under several spellings.
std::string clientIp(std::string_view peerAddress, std::string_view xForwardedFor,
                     const std::vector<std::string>& trustedProxies);

// "1.2.3.4", "1.2.3.4:80", "[::1]:80", "::1", "[fe80::1%eth0]" → canonical
// IP text; nullopt for anything that is not an IP address.
std::optional<std::string> canonicalIp(std::string_view address);

}  // namespace certctl::http
