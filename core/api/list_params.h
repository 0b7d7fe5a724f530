#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "core/domain/list_query.h"
#include "core/domain/resource_spec.h"
#include "core/http/http_types.h"
#include "core/services/resource_repository.h"

namespace certctl::api {

// Turns the query string of a list request into a validated ListQuery
// (seed 001 "Query Features"): sort, page/per_page, cursor/page_size,
// fields, equality filters and RFC 3339 time ranges. Anything it does not
// understand is a 400 naming the parameter, never silently ignored.
domain::ListQuery parseListQuery(const domain::ResourceSpec& spec, const http::Request& request);

// Cursors are opaque to clients: base64url of {"s": sort, "v": value, "id": id}.
std::string encodeCursor(const domain::ListQuery& query, const domain::ListQuery::Cursor& cursor);

// {data, total, page, per_page, next_cursor}
nlohmann::json listEnvelope(const domain::ListQuery& query, services::ListResult result);

}  // namespace certctl::api
