#include "core/api/audit_routes.h"

#include "core/api/list_params.h"
#include "core/domain/errors.h"

namespace certctl::api {

using domain::FieldSpec;
using domain::FieldType;
using http::Request;
using http::Response;

namespace {

constexpr int kMaxExportRows = 100000;

FieldSpec readOnly(std::string name, FieldType type, bool filterable = false,
                   std::string filterParam = {}) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.writable = false;
  f.filterable = filterable;
  f.filterParam = std::move(filterParam);
  return f;
}

std::string csvCell(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>()
                     : value.is_null() ? std::string()
                                       : value.dump();
  // Quote every cell; a leading =, +, - or @ is defused so spreadsheets don't run it.
  if (!text.empty() && std::string("=+-@").find(text[0]) != std::string::npos) text = "'" + text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

const domain::ResourceSpec& auditEventSpec() {
  static const domain::ResourceSpec spec = [] {
    domain::ResourceSpec s;
    s.name = "audit";
    s.table = "audit_events";
    s.idPrefix = "ae-";
    s.singular = "audit event";
    s.createdColumn = "timestamp";
    s.hasUpdatedAt = false;
    s.defaultSortColumn = "timestamp";
    s.fields = {readOnly("actor", FieldType::String, true),
                readOnly("actor_type", FieldType::String, true),
                readOnly("action", FieldType::String, true),
                readOnly("resource_type", FieldType::String, true, "resource"),
                readOnly("resource_id", FieldType::String, true),
                readOnly("method", FieldType::String, true),
                readOnly("path", FieldType::String),
                readOnly("status_code", FieldType::Integer, true),
                readOnly("latency_ms", FieldType::Number),
                readOnly("body_hash", FieldType::String),
                readOnly("request_id", FieldType::String, true),
                readOnly("details", FieldType::Json)};
    s.sortKeys = {{"timestamp", "timestamp"}, {"createdAt", "timestamp"}};
    s.timeFilters = {{"before", "timestamp", true}, {"after", "timestamp", false}};
    return s;
  }();
  return spec;
}

void registerAuditRoutes(http::Router& router, services::ResourceRepository& repository,
                         services::AuditLog& log) {
  const auto& spec = auditEventSpec();
  router.add("GET", "/api/v1/audit", [&repository, &spec, &log](Request& req) {
    log.flush();
    auto query = parseListQuery(spec, req);
    return Response::json(200, listEnvelope(query, repository.list(spec, query)));
  });
  router.add("GET", "/api/v1/audit/{id}", [&repository, &spec, &log](Request& req) {
    log.flush();
    auto row = repository.get(spec, req.param("id"));
    if (!row) throw domain::notFound("audit event not found: " + req.param("id"));
    return Response::json(200, *row);
  });
  router.add("GET", "/api/v1/audit/export", [&repository, &spec, &log](Request& req) {
    log.flush();
    std::string format = "json";
    Request filtered = req;
    if (auto* f = req.queryValue("format")) format = *f;
    filtered.query.erase("format");
    if (format != "json" && format != "csv")
      throw domain::badRequest("format", "format must be csv or json");
    auto query = parseListQuery(spec, filtered);
    query.keyset = true;
    query.perPage = 500;
    query.fields.clear();
    // Walk the keyset so a large export never holds one giant result set.
    std::vector<nlohmann::json> rows;
    for (;;) {
      auto page = repository.list(spec, query);
      for (auto& r : page.items) rows.push_back(std::move(r));
      if (!page.next || rows.size() >= kMaxExportRows) break;
      query.after = page.next;
    }
    Response response;
    response.status = 200;
    if (format == "json") {
      response = Response::json(200, rows);
      response.setHeader("Content-Disposition", "attachment; filename=\"audit-events.json\"");
      return response;
    }
    std::vector<std::string> columns = {"id", "timestamp"};
    for (const auto& f : spec.fields) columns.push_back(f.name);
    std::string csv;
    for (size_t i = 0; i < columns.size(); ++i) csv += (i ? "," : "") + columns[i];
    csv += "\r\n";
    for (const auto& row : rows) {
      for (size_t i = 0; i < columns.size(); ++i)
        csv += (i ? "," : "") + csvCell(row.value(columns[i], nlohmann::json()));
      csv += "\r\n";
    }
    response.contentType = "text/csv; charset=utf-8";
    response.body = std::move(csv);
    response.setHeader("Content-Disposition", "attachment; filename=\"audit-events.csv\"");
    return response;
  });
}

}  // namespace certctl::api
