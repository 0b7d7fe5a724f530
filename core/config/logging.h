#pragma once

#include <string>

namespace certctl::config {

// Sets up the process-wide spdlog logger: level debug|info|warn|error,
// format "json" (one JSON object per line, for SIEMs) or "text".
void setupLogging(const std::string& level, const std::string& format);

}  // namespace certctl::config
