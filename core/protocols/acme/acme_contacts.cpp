#include "core/protocols/acme/acme_contacts.h"

#include <algorithm>
#include <cctype>

#include "core/protocols/acme/acme_problem.h"

namespace certctl::protocols::acme {

namespace {

constexpr std::size_t kMaxContacts = 10;
constexpr std::size_t kMaxAddress = 254;

AcmeProblem invalidContact(const std::string& detail) { return {"invalidContact", 400, detail}; }

bool plainAddress(const std::string& address) {
  if (address.empty() || address.size() > kMaxAddress) return false;
  auto at = address.find('@');
  if (at == 0 || at == std::string::npos || address.find('@', at + 1) != std::string::npos)
    return false;
  std::string domain = address.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string::npos || domain.find('.') == std::string::npos)
    return false;
  if (!std::all_of(domain.begin(), domain.end(),
                   [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; }))
    return false;
  // hfields ("?subject=") and several addresses (",") are refused (§7.3).
  return std::none_of(
      address.begin(), address.begin() + static_cast<long>(at), [](unsigned char c) {
        return c <= 0x20 || c >= 0x7f || c == '?' || c == ',' || c == '<' || c == '>' || c == '"';
      });
}

}  // namespace

nlohmann::json validateContacts(const nlohmann::json& contact) {
  if (contact.is_null()) return nlohmann::json::array();
  if (!contact.is_array()) throw malformed("\"contact\" must be an array of URLs");
  if (contact.size() > kMaxContacts)
    throw invalidContact("at most " + std::to_string(kMaxContacts) + " contacts");
  for (const auto& item : contact) {
    if (!item.is_string()) throw invalidContact("each contact must be a string");
    const auto& url = item.get_ref<const std::string&>();
    std::string scheme = url.substr(0, 7);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "mailto:")
      throw AcmeProblem("unsupportedContact", 400,
                        "only mailto: contacts are supported (got \"" + url.substr(0, 64) + "\")");
    if (!plainAddress(url.substr(7)))
      throw invalidContact("\"" + url.substr(0, 300) + "\" is not a plain e-mail address");
  }
  return contact;
}

}  // namespace certctl::protocols::acme
