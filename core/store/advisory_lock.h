#pragma once

#include <string_view>

namespace certctl::store {

// The 63-bit PostgreSQL advisory lock key of a lock name (FNV-1a): every
// cluster-wide lock is named ("certctl-crl:<issuer>", "certctl-loop:<loop>",
// "certctl-instance:<id>") and hashed here, so the names never collide by
// construction of their prefixes.
long long advisoryKey(std::string_view name);

}  // namespace certctl::store
