#pragma once

#include <optional>
#include <string>
#include <vector>

namespace certctl::domain {

// Dynamic agent-group membership (seed 001 "Agent Groups"): an agent belongs
// to a group when it satisfies every criterion the group sets (OS,
// architecture, IP CIDR, version range); manual include/exclude entries
// override the criteria. Pure logic: no I/O.
struct AgentFacts {
  std::string id;
  std::string os;
  std::string architecture;
  std::string ipAddress;
  std::string version;
};

struct GroupCriteria {
  std::string os;            // "" = any; case-insensitive
  std::string architecture;  // "" = any; case-insensitive
  std::string ipCidr;        // "" = any; "10.0.0.0/8", "2001:db8::/32" or a bare address
  std::string versionRange;  // "" = any; e.g. ">=1.2.0 <2.0.0", "=1.4.1", "1.4.1"
  bool hasCriteria() const {
    return !os.empty() || !architecture.empty() || !ipCidr.empty() || !versionRange.empty();
  }
};

// Returns an error message for a malformed CIDR, or nullopt when valid.
std::optional<std::string> validateCidr(const std::string& cidr);
// Returns an error message for a malformed version range, or nullopt when valid.
std::optional<std::string> validateVersionRange(const std::string& range);

bool ipInCidr(const std::string& ip, const std::string& cidr);
bool versionInRange(const std::string& version, const std::string& range);

// A group without any criterion matches nobody dynamically (only manual includes).
bool matchesCriteria(const AgentFacts& agent, const GroupCriteria& criteria);

}  // namespace certctl::domain
