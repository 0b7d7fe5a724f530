#pragma once

// JSON Schema pieces shared by the file-based target plugins. A plugin's
// schema is one compile-time constant (the export macro needs a string with
// static storage), put together with concatLiterals:
//
//   constexpr auto kSchema = certctl::sdk::deploy::concatLiterals(
//       R"json({"type": "object", "properties": {
//         "reload_command": {)json", deploy::kCommandSchemaTypes, R"json(, "description": "..."},
//         )json", deploy::kCommonSchemaProperties, R"json(}})json");
//   CERTCTL_EXPORT_TARGET(T, "Type", "1.0.0", kSchema.data())

#include <array>
#include <cstddef>

namespace certctl::sdk::deploy {

// The string literals (or constexpr char arrays) joined into one
// NUL-terminated std::array<char, N> at compile time.
template <std::size_t... Ns>
constexpr auto concatLiterals(const char (&... parts)[Ns]) {
  std::array<char, (Ns + ...) - sizeof...(Ns) + 1> out{};
  std::size_t at = 0;
  auto append = [&](const char* part, std::size_t n) {
    for (std::size_t i = 0; i + 1 < n; ++i) out[at++] = part[i];
  };
  (append(parts, Ns), ...);
  out[at] = '\0';
  return out;
}

// The type of a command field, to go inside its {...} next to a description:
// an argv array, or a plain string without shell syntax.
constexpr char kCommandSchemaTypes[] =
    R"json("oneOf": [{"type": "array", "items": {"type": "string"}, "maxItems": 256}, {"type": "string"}, {"type": "null"}])json";

// The properties every file target has besides its paths and commands,
// without a trailing comma.
constexpr char kCommonSchemaProperties[] = R"json(
    "command_timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 60,
      "description": "Longest run of the validate or reload command; it is killed after that"},
    "owner": {"type": "string", "description": "User (name or id) that owns the written files; default: the agent's user"},
    "group": {"type": "string", "description": "Group (name or id) of the written files"},
    "verify": {"type": "object", "required": ["host", "port"],
      "description": "After the reload, a TLS handshake with this endpoint must present the new certificate, or everything is rolled back",
      "properties": {
        "host": {"type": "string"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "sni": {"type": "string", "description": "Server name sent in the handshake (default: the host, unless an IP address)"},
        "timeout_seconds": {"type": "number", "minimum": 0.1, "maximum": 300, "default": 10,
          "description": "How long to wait for the new certificate to be served"},
        "starttls": {"type": "string", "enum": ["none", "smtp", "imap"], "default": "none",
          "description": "Protocol spoken before the TLS handshake"}}},
    "post_deploy_verify": {"type": "object",
      "description": "The same check in the original product's form: {enabled, endpoint: \"host:port\", timeout}",
      "properties": {
        "enabled": {"type": "boolean", "default": true},
        "endpoint": {"type": "string"},
        "timeout": {"type": ["number", "string"]},
        "sni": {"type": "string"},
        "starttls": {"type": "string", "enum": ["none", "smtp", "imap"]}}})json";

}  // namespace certctl::sdk::deploy
