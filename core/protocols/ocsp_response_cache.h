#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace certctl::protocols {

// The certificate status a cached response states (what the refresher
// re-signs without asking the database).
struct OcspCachedStatus {
  enum class Kind { Good, Revoked };
  Kind kind = Kind::Good;
  std::string revokedAt;  // RFC 3339, Revoked only
  std::string reason;     // RFC 5280 name, Revoked only
};

// Pre-signed OCSP responses (no nonce) in memory, keyed by issuer, serial
// and CertID hash algorithm. A hit is a shared-locked hash lookup and a
// reference-counted pointer copy; nothing else, so the hot path never waits
// for the database or a signature. Sharded to keep readers of different
// serials off each other's cache lines; bounded (an arbitrary entry of the
// shard is evicted when it is full).
//
// Invalidation races are handled with a per-shard epoch: a response signed
// from a database read is inserted only if no invalidation hit its shard in
// between, so a revocation can never be overwritten by a stale "good".
class OcspResponseCache {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  struct Response {
    std::shared_ptr<const std::string> der;
    std::string hashAlgorithm;
    OcspCachedStatus status;
    TimePoint refreshAt;  // the refresher re-signs from here on
    TimePoint staleAt;    // not served from here on (before nextUpdate)
  };

  // An entry the refresher should re-sign.
  struct Due {
    std::string issuerId;
    std::string serial;
    std::string hashAlgorithm;
    OcspCachedStatus status;
    std::uint64_t epoch = 0;  // pass to insert() with the re-signed response
  };

  explicit OcspResponseCache(std::size_t maxEntries);

  // The DER of a response still fresh at `now`, or null.
  std::shared_ptr<const std::string> find(const std::string& issuerId, std::string_view serial,
                                          std::string_view hashAlgorithm, TimePoint now);
  // The status of any fresh cached response for this serial.
  std::optional<OcspCachedStatus> status(const std::string& issuerId, std::string_view serial,
                                         TimePoint now);

  // Read before looking the status up; pass to insert().
  std::uint64_t epoch(const std::string& issuerId, std::string_view serial) const;
  // Stores (or replaces the same algorithm's) response unless the serial's
  // shard was invalidated since `epoch`. Returns whether it was stored.
  bool insert(const std::string& issuerId, std::string_view serial, Response response,
              std::uint64_t epoch);

  void invalidate(const std::string& issuerId, const std::vector<std::string>& serials);
  void clearIssuer(const std::string& issuerId);
  void clear();

  // Entries at or past refreshAt that were served since they were signed
  // (up to `max`); entries nobody asked for are dropped instead.
  std::vector<Due> takeDue(TimePoint now, std::size_t max);

  std::size_t size() const;
  std::uint64_t hits() const;
  std::uint64_t misses() const;

 private:
  struct Stored {
    Response response;
    std::unique_ptr<std::atomic<bool>> used;  // set by find(); survives rehashing
  };
  struct Slot {
    std::vector<Stored> responses;  // one per hash algorithm, usually one
  };
  struct alignas(64) Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Slot> slots;  // issuer '\x1f' serial
    std::size_t entries = 0;
    std::uint64_t epoch = 0;
    std::atomic<std::uint64_t> hits{0};
    std::atomic<std::uint64_t> misses{0};
  };
  static constexpr std::size_t kShards = 16;

  static std::string key(const std::string& issuerId, std::string_view serial);
  Shard& shardFor(const std::string& key);
  const Shard& shardFor(const std::string& key) const;

  std::size_t maxPerShard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace certctl::protocols
