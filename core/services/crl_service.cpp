#include "core/services/crl_service.h"

#include <spdlog/spdlog.h>

#include "core/domain/errors.h"
#include "sdk/pki/crl.h"
#include "sdk/pki/revocation_reason.h"

using nlohmann::json;

namespace certctl::services {

namespace {

using Clock = std::chrono::steady_clock;

domain::TimePoint timeOf(const std::string& text) {
  return domain::parseRfc3339(text).value_or(domain::TimePoint{});
}

std::shared_ptr<const CrlSnapshot> snapshotOf(CrlCacheRow row) {
  auto snapshot = std::make_shared<CrlSnapshot>();
  snapshot->issuerId = row.issuerId;
  snapshot->der = std::make_shared<const std::string>(std::move(row.der));
  snapshot->crlNumber = row.crlNumber;
  snapshot->thisUpdate = timeOf(row.thisUpdate);
  snapshot->nextUpdate = timeOf(row.nextUpdate);
  snapshot->generatedAt = timeOf(row.generatedAt);
  snapshot->generationDurationMs = row.generationDurationMs;
  snapshot->revokedCount = row.revokedCount;
  return snapshot;
}

json snapshotJson(const CrlSnapshot& s) {
  return {{"issuer_id", s.issuerId},
          {"crl_number", s.crlNumber},
          {"this_update", domain::formatRfc3339(s.thisUpdate)},
          {"next_update", domain::formatRfc3339(s.nextUpdate)},
          {"generated_at", domain::formatRfc3339(s.generatedAt)},
          {"revoked_count", s.revokedCount}};
}

}  // namespace

CrlService::CrlService(RevocationStore& store, RevocationIssuerGateway& issuers, Options options)
    : store_(store), issuers_(issuers), options_(options), worker_([this] { workerLoop(); }) {}

CrlService::~CrlService() {
  {
    std::lock_guard lock(queueMutex_);
    stopping_ = true;
  }
  queueReady_.notify_all();
  worker_.join();
}

void CrlService::requireCrlSupport(const std::string& issuerId) {
  switch (issuers_.availability(issuerId, "generate_crl")) {
    case RevocationIssuerGateway::Availability::Available:
      return;
    case RevocationIssuerGateway::Availability::UnknownIssuer:
      throw domain::notFound("issuer not found: " + issuerId);
    case RevocationIssuerGateway::Availability::Unavailable:
      throw domain::ApiError(domain::ErrorKind::NotFound, "crl_not_supported",
                             "issuer " + issuerId + " does not publish a CRL");
  }
}

CrlService::IssuerState& CrlService::state(const std::string& issuerId) {
  std::lock_guard lock(statesMutex_);
  auto& slot = states_[issuerId];
  if (!slot) slot = std::make_unique<IssuerState>();
  return *slot;
}

void CrlService::adopt(IssuerState& st, std::shared_ptr<const CrlSnapshot> snapshot) {
  if (snapshot && (!st.snapshot || snapshot->crlNumber > st.snapshot->crlNumber))
    st.snapshot = std::move(snapshot);
}

void CrlService::await(const std::string& issuerId, IssuerState& st,
                       std::unique_lock<std::mutex>& lock, std::uint64_t target,
                       std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (st.completed < target) {
    if (st.running) {
      if (timeout.count() == 0) {
        st.done.wait(lock);
      } else if (st.done.wait_until(lock, deadline) == std::cv_status::timeout &&
                 st.completed < target) {
        throw domain::ApiError(domain::ErrorKind::Unavailable, "crl_generation_pending",
                               "CRL generation for " + issuerId + " is still running");
      }
      continue;
    }
    // Nobody is running: this caller runs one round for every request so far.
    st.running = true;
    const std::uint64_t round = st.requested;
    lock.unlock();
    std::shared_ptr<const CrlSnapshot> snapshot;
    std::exception_ptr error;
    try {
      snapshot = generate(issuerId);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    st.running = false;
    st.completed = round;
    st.error = error;
    adopt(st, std::move(snapshot));
    st.done.notify_all();
  }
  if (st.error) std::rethrow_exception(st.error);
}

std::shared_ptr<const CrlSnapshot> CrlService::generate(const std::string& issuerId) {
  std::shared_ptr<const CrlSnapshot> result;
  store_.withCrlLock(issuerId, [&] {
    const auto started = Clock::now();
    const long long number = store_.crlNumber(issuerId).value_or(0) + 1;
    CrlEntryList entries = store_.crlEntryList(issuerId);
    const auto read = Clock::now();
    const domain::TimePoint thisUpdate = domain::nowSeconds();
    const domain::TimePoint nextUpdate = thisUpdate + options_.validity;
    CrlCacheRow row;
    row.issuerId = issuerId;
    row.der = issuers_.generateCrl(issuerId, entries, number, domain::formatRfc3339(thisUpdate),
                                   domain::formatRfc3339(nextUpdate));
    const auto signedAt = Clock::now();
    row.crlNumber = number;
    row.thisUpdate = domain::formatRfc3339(thisUpdate);
    row.nextUpdate = domain::formatRfc3339(nextUpdate);
    row.generatedAt = row.thisUpdate;
    row.revokedCount = static_cast<long long>(entries.size());
    row.generationDurationMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    row.sizeBytes = static_cast<long long>(row.der.size());
    store_.storeCrl(row);
    const auto storedAt = Clock::now();
    spdlog::info(
        "{}",
        json{{"msg", "crl generated"},
             {"issuer_id", issuerId},
             {"crl_number", number},
             {"revoked_count", row.revokedCount},
             {"bytes", row.sizeBytes},
             {"duration_ms", row.generationDurationMs},
             {"db_read_ms",
              std::chrono::duration_cast<std::chrono::milliseconds>(read - started).count()},
             {"sign_ms",
              std::chrono::duration_cast<std::chrono::milliseconds>(signedAt - read).count()},
             {"store_ms",
              std::chrono::duration_cast<std::chrono::milliseconds>(storedAt - signedAt).count()}}
            .dump());
    result = snapshotOf(std::move(row));
  });
  ++generations_;
  return result;
}

std::shared_ptr<const CrlSnapshot> CrlService::regenerate(const std::string& issuerId) {
  requireCrlSupport(issuerId);
  auto& st = state(issuerId);
  std::unique_lock lock(st.mutex);
  const std::uint64_t target = ++st.requested;
  await(issuerId, st, lock, target, std::chrono::seconds(0));
  return st.snapshot;
}

void CrlService::regenerateAsync(const std::string& issuerId) {
  if (issuers_.availability(issuerId, "generate_crl") !=
      RevocationIssuerGateway::Availability::Available)
    return;
  {
    auto& st = state(issuerId);
    std::lock_guard lock(st.mutex);
    ++st.requested;  // current() now waits for (or runs) this round
  }
  {
    std::lock_guard lock(queueMutex_);
    if (!queued_.insert(issuerId).second) return;
    queue_.push_back(issuerId);
  }
  queueReady_.notify_one();
}

void CrlService::workerLoop() {
  std::unique_lock lock(queueMutex_);
  for (;;) {
    queueReady_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string issuerId = std::move(queue_.front());
    queue_.pop_front();
    queued_.erase(issuerId);
    lock.unlock();
    try {
      auto& st = state(issuerId);
      std::unique_lock stLock(st.mutex);
      await(issuerId, st, stLock, st.requested, std::chrono::seconds(0));
    } catch (const std::exception& e) {
      spdlog::error(
          "{}",
          json{{"msg", "crl generation failed"}, {"issuer_id", issuerId}, {"error", e.what()}}.dump(
              -1, ' ', false, json::error_handler_t::replace));
    }
    lock.lock();
  }
}

std::shared_ptr<const CrlSnapshot> CrlService::current(const std::string& issuerId) {
  requireCrlSupport(issuerId);
  auto& st = state(issuerId);
  std::shared_ptr<const CrlSnapshot> snapshot;
  {
    std::unique_lock lock(st.mutex);
    if (st.completed < st.requested) {
      try {
        await(issuerId, st, lock, st.requested, options_.joinTimeout);
      } catch (const std::exception& e) {
        // A failed or slow regeneration: the previous CRL is still valid.
        if (!st.snapshot || domain::nowSeconds() >= st.snapshot->nextUpdate) throw;
        spdlog::warn("issuer {}: serving CRL {} while regeneration fails: {}", issuerId,
                     st.snapshot->crlNumber, e.what());
      }
    }
    snapshot = st.snapshot;
  }
  // Another replica (or an earlier run of this server) may have stored a newer one.
  const auto stored = store_.crlNumber(issuerId);
  if (stored && (!snapshot || *stored > snapshot->crlNumber)) {
    if (auto row = store_.crl(issuerId)) {
      auto loaded = snapshotOf(std::move(*row));
      std::lock_guard lock(st.mutex);
      adopt(st, loaded);
      snapshot = st.snapshot;
    }
  }
  if (!snapshot || domain::nowSeconds() >= snapshot->nextUpdate) return regenerate(issuerId);
  return snapshot;
}

CrlService::RunSummary CrlService::regenerateAll(std::chrono::seconds minAge) {
  RunSummary summary;
  std::string firstError;
  std::map<std::string, domain::TimePoint> generatedAt;
  if (minAge.count() > 0)
    for (const auto& row : store_.crlCache()) generatedAt[row.issuerId] = timeOf(row.generatedAt);
  const auto now = domain::nowSeconds();
  for (const auto& issuerId : store_.enabledIssuerIds()) {
    if (issuers_.availability(issuerId, "generate_crl") !=
        RevocationIssuerGateway::Availability::Available)
      continue;
    auto last = generatedAt.find(issuerId);
    if (last != generatedAt.end() && now - last->second < minAge) {
      ++summary.skipped;
      continue;
    }
    try {
      regenerate(issuerId);
      ++summary.generated;
    } catch (const std::exception& e) {
      ++summary.failed;
      if (firstError.empty()) firstError = issuerId + ": " + e.what();
      spdlog::error(
          "{}",
          json{{"msg", "crl generation failed"}, {"issuer_id", issuerId}, {"error", e.what()}}.dump(
              -1, ' ', false, json::error_handler_t::replace));
    }
  }
  if (summary.failed > 0)
    throw std::runtime_error(std::to_string(summary.failed) + " of " +
                             std::to_string(summary.failed + summary.generated) +
                             " CRL generations failed, first: " + firstError);
  return summary;
}

json CrlService::listJson(const std::string& issuerFilter) {
  std::vector<std::string> ids;
  if (!issuerFilter.empty()) {
    requireCrlSupport(issuerFilter);
    ids.push_back(issuerFilter);
  } else {
    for (const auto& id : store_.enabledIssuerIds())
      if (issuers_.availability(id, "generate_crl") ==
          RevocationIssuerGateway::Availability::Available)
        ids.push_back(id);
  }
  json data = json::array();
  for (const auto& id : ids) {
    auto snapshot = current(id);
    json item = snapshotJson(*snapshot);
    json entries = json::array();
    // The entries of the CRL actually served, not of the database.
    for (const auto& e : sdk::pki::Crl::fromDer(*snapshot->der).entries()) {
      entries.push_back(
          {{"serial_number", e.serialHex},
           {"revoked_at",
            domain::formatRfc3339(std::chrono::floor<std::chrono::seconds>(e.revocationTime))},
           {"reason", std::string(sdk::pki::revocationReasonName(e.reason))}});
    }
    item["entries"] = std::move(entries);
    data.push_back(std::move(item));
  }
  const auto total = data.size();
  return {{"data", std::move(data)}, {"total", total}};
}

json CrlService::cacheJson() {
  json data = json::array();
  for (const auto& row : store_.crlCache()) {
    data.push_back({{"issuer_id", row.issuerId},
                    {"crl_number", row.crlNumber},
                    {"this_update", row.thisUpdate},
                    {"next_update", row.nextUpdate},
                    {"generated_at", row.generatedAt},
                    {"generation_duration_ms", row.generationDurationMs},
                    {"revoked_count", row.revokedCount},
                    {"crl_size_bytes", row.sizeBytes}});
  }
  const auto total = data.size();
  return {{"data", std::move(data)}, {"total", total}};
}

std::uint64_t CrlService::generations() const { return generations_.load(); }

}  // namespace certctl::services
