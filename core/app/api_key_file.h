#pragma once

#include <filesystem>
#include <string>

namespace certctl::app {

// With no CERTCTL_AUTH_SECRET, the server uses the key stored in
// <dataDir>/api-key (0600), creating a random one on first start, so a new
// install is never left open.
std::string loadOrCreateApiKey(const std::filesystem::path& dataDir, bool& created);

}  // namespace certctl::app
