#pragma once

#include <string>
#include <string_view>

namespace certctl::protocols::est {

// Just enough DER for the small structures EST answers with (CsrAttrs).
std::string derTlv(unsigned char tag, std::string_view content);
std::string derSequence(std::string_view content);
std::string derSet(std::string_view content);
// A dotted OBJECT IDENTIFIER ("1.2.840.113549.1.9.7"); throws std::invalid_argument.
std::string derOid(std::string_view dotted);

}  // namespace certctl::protocols::est
