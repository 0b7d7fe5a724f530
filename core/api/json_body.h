#pragma once

#include <nlohmann/json.hpp>

#include "core/http/http_types.h"

namespace certctl::api {

// Parses a request body as a JSON object; malformed JSON is a 400 naming "body".
nlohmann::json parseJsonObject(const http::Request& request);

// Like parseJsonObject, but an empty (or blank) body is {}.
nlohmann::json parseOptionalJsonObject(const http::Request& request);

}  // namespace certctl::api
