#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace certctl::targets::caddy {

// Caddy's JSON config as far as the admin-API mode touches it: the
// certificates loaded from PEM text, `apps.tls.certificates.load_pem`, each
// {"certificate", "key", "tags"}. Ours are found by their tag (the
// certificate id); a site picks them with
// `tls_connection_policies[].certificate_selection.any_tag` (or by SNI).

// The load_pem entry that carries `tag`, or nullptr.
const nlohmann::json* findLoadedPem(const nlohmann::json& config, const std::string& tag);

// `config` with the entry tagged `tag` holding `certificatePem` and `keyPem`:
// the first such entry is replaced in place (its other tags kept), further
// ones dropped; without one, an entry is appended (creating apps.tls... as
// needed). Throws DeployError(Rejected) when Caddy's config has another
// shape at one of those places (e.g. load_pem not a list).
nlohmann::json withLoadedPem(nlohmann::json config, const std::string& tag,
                             const std::string& certificatePem, const std::string& keyPem);

// Whether the entry tagged `tag` holds exactly this certificate and key.
bool holdsLoadedPem(const nlohmann::json& config, const std::string& tag,
                    const std::string& certificatePem, const std::string& keyPem);

}  // namespace certctl::targets::caddy
