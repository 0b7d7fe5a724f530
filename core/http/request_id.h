#pragma once

#include <string>
#include <string_view>

namespace certctl::http {

// X-Request-ID correlates a request across the client, our logs and the
// error body. A client's value is propagated only when it is safe to log and
// echo: 1..128 characters of [A-Za-z0-9._:-] (no spaces, quotes or CR/LF).

// A time-ordered UUID v7 (48-bit ms timestamp, then 74 random bits),
// lower-case, e.g. "019aac1e-5b7d-7e21-8c0f-6a2d9b4e7f10".
std::string generateRequestId();

bool isValidRequestId(std::string_view id);

// The incoming header if valid, otherwise a freshly generated id.
std::string requestIdFor(std::string_view incomingHeader);

}  // namespace certctl::http
