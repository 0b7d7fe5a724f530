#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certctl::domain {

// A validated list request. Built from query parameters by the API layer,
// turned into SQL by the store; every column name in here was checked
// against the resource descriptor, so the store can trust it.
struct ListQuery {
  struct Equals {
    std::string column;
    std::string value;
  };
  struct Range {
    std::string column;
    bool before;        // column < value (else column > value)
    std::string value;  // normalized RFC 3339
  };
  struct Cursor {
    std::string sortValue;  // value of the sort expression of the last row (text)
    std::string id;         // id of the last row
  };

  // Set by routes, never from the query string: e.g. GET /agents lists
  // the agents whose retired_at IS NULL, GET /agents/retired the others.
  struct Presence {
    std::string column;
    bool present;  // column IS NOT NULL (else IS NULL)
  };

  std::vector<Equals> equals;
  std::vector<Range> ranges;
  std::vector<Presence> presence;
  std::string sortColumn = "created_at";
  bool descending = true;

  // Page mode (page/per_page) returns `total`; keyset mode (cursor/page_size)
  // skips the COUNT and returns next_cursor instead.
  bool keyset = false;
  int page = 1;
  int perPage = 50;
  std::optional<Cursor> after;

  std::vector<std::string> fields;  // sparse fieldset; empty = all
};

}  // namespace certctl::domain
