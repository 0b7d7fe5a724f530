#include "core/protocols/ocsp_response_cache.h"

#include <algorithm>
#include <functional>
#include <mutex>

namespace certctl::protocols {

OcspResponseCache::OcspResponseCache(std::size_t maxEntries)
    : maxPerShard_(std::max<std::size_t>(1, maxEntries / kShards)) {}

std::string OcspResponseCache::key(const std::string& issuerId, std::string_view serial) {
  std::string k;
  k.reserve(issuerId.size() + 1 + serial.size());
  k.append(issuerId).push_back('\x1f');
  k.append(serial);
  return k;
}

OcspResponseCache::Shard& OcspResponseCache::shardFor(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

const OcspResponseCache::Shard& OcspResponseCache::shardFor(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const std::string> OcspResponseCache::find(const std::string& issuerId,
                                                           std::string_view serial,
                                                           std::string_view hashAlgorithm,
                                                           TimePoint now) {
  const std::string k = key(issuerId, serial);
  Shard& shard = shardFor(k);
  {
    std::shared_lock lock(shard.mutex);
    auto it = shard.slots.find(k);
    if (it != shard.slots.end()) {
      for (const auto& stored : it->second.responses) {
        if (stored.response.hashAlgorithm != hashAlgorithm || now >= stored.response.staleAt)
          continue;
        if (!stored.used->load(std::memory_order_relaxed))
          stored.used->store(true, std::memory_order_relaxed);
        shard.hits.fetch_add(1, std::memory_order_relaxed);
        return stored.response.der;
      }
    }
  }
  shard.misses.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

std::optional<OcspCachedStatus> OcspResponseCache::status(const std::string& issuerId,
                                                          std::string_view serial, TimePoint now) {
  const std::string k = key(issuerId, serial);
  Shard& shard = shardFor(k);
  std::shared_lock lock(shard.mutex);
  auto it = shard.slots.find(k);
  if (it == shard.slots.end()) return std::nullopt;
  for (const auto& stored : it->second.responses)
    if (now < stored.response.staleAt) return stored.response.status;
  return std::nullopt;
}

std::uint64_t OcspResponseCache::epoch(const std::string& issuerId, std::string_view serial) const {
  const Shard& shard = shardFor(key(issuerId, serial));
  std::shared_lock lock(shard.mutex);
  return shard.epoch;
}

bool OcspResponseCache::insert(const std::string& issuerId, std::string_view serial,
                               Response response, std::uint64_t epoch) {
  const std::string k = key(issuerId, serial);
  Shard& shard = shardFor(k);
  std::unique_lock lock(shard.mutex);
  if (shard.epoch != epoch) return false;
  auto it = shard.slots.find(k);
  if (it == shard.slots.end()) {
    while (shard.entries >= maxPerShard_ && !shard.slots.empty()) {
      auto victim = shard.slots.begin();
      shard.entries -= victim->second.responses.size();
      shard.slots.erase(victim);
    }
    it = shard.slots.emplace(k, Slot{}).first;
  }
  for (auto& stored : it->second.responses) {
    if (stored.response.hashAlgorithm == response.hashAlgorithm) {
      stored.response = std::move(response);
      stored.used->store(false, std::memory_order_relaxed);
      return true;
    }
  }
  it->second.responses.push_back({std::move(response), std::make_unique<std::atomic<bool>>(false)});
  ++shard.entries;
  return true;
}

void OcspResponseCache::invalidate(const std::string& issuerId,
                                   const std::vector<std::string>& serials) {
  for (const auto& serial : serials) {
    const std::string k = key(issuerId, serial);
    Shard& shard = shardFor(k);
    std::unique_lock lock(shard.mutex);
    ++shard.epoch;
    auto it = shard.slots.find(k);
    if (it == shard.slots.end()) continue;
    shard.entries -= it->second.responses.size();
    shard.slots.erase(it);
  }
}

void OcspResponseCache::clearIssuer(const std::string& issuerId) {
  const std::string prefix = issuerId + '\x1f';
  for (auto& shard : shards_) {
    std::unique_lock lock(shard.mutex);
    ++shard.epoch;
    for (auto it = shard.slots.begin(); it != shard.slots.end();) {
      if (it->first.compare(0, prefix.size(), prefix) == 0) {
        shard.entries -= it->second.responses.size();
        it = shard.slots.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void OcspResponseCache::clear() {
  for (auto& shard : shards_) {
    std::unique_lock lock(shard.mutex);
    ++shard.epoch;
    shard.slots.clear();
    shard.entries = 0;
  }
}

std::vector<OcspResponseCache::Due> OcspResponseCache::takeDue(TimePoint now, std::size_t max) {
  std::vector<Due> due;
  for (auto& shard : shards_) {
    std::unique_lock lock(shard.mutex);
    for (auto it = shard.slots.begin(); it != shard.slots.end();) {
      auto& responses = it->second.responses;
      for (auto r = responses.begin(); r != responses.end();) {
        if (now < r->response.refreshAt) {
          ++r;
          continue;
        }
        if (r->used->load(std::memory_order_relaxed) && due.size() < max) {
          const auto sep = it->first.find('\x1f');
          due.push_back({it->first.substr(0, sep), it->first.substr(sep + 1),
                         r->response.hashAlgorithm, r->response.status, shard.epoch});
          // Pushed out so it is not handed out twice; still served until
          // staleAt, then re-signed on demand if the refresh did not land.
          r->response.refreshAt = r->response.staleAt;
          r->used->store(false, std::memory_order_relaxed);
          ++r;
        } else if (!r->used->load(std::memory_order_relaxed)) {
          r = responses.erase(r);
          --shard.entries;
        } else {
          ++r;
        }
      }
      if (responses.empty())
        it = shard.slots.erase(it);
      else
        ++it;
    }
  }
  return due;
}

std::size_t OcspResponseCache::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    n += shard.entries;
  }
  return n;
}

std::uint64_t OcspResponseCache::hits() const {
  std::uint64_t n = 0;
  for (const auto& shard : shards_) n += shard.hits.load(std::memory_order_relaxed);
  return n;
}

std::uint64_t OcspResponseCache::misses() const {
  std::uint64_t n = 0;
  for (const auto& shard : shards_) n += shard.misses.load(std::memory_order_relaxed);
  return n;
}

}  // namespace certctl::protocols
