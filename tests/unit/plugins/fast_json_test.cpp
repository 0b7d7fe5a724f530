// sdk/plugin/detail/fast_json.h: the bulk string reader and writer for the
// documents that cross the plugin ABI must give exactly what nlohmann gives.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "sdk/plugin/detail/fast_json.h"

using certctl::sdk::detail::appendJsonString;
using certctl::sdk::detail::dumpJson;
using certctl::sdk::detail::parseJson;
using certctl::sdk::detail::writeJson;
using nlohmann::json;

namespace {

json reference(const std::string& text) { return json::parse(text, nullptr, false); }

std::string referenceDump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

TEST_CASE("plugin JSON: parseJson reads what nlohmann reads, and refuses what it refuses",
          "[plugins][json]") {
  const std::vector<std::string> documents = {
      "{}",
      " \t\r\n{ } \n",
      R"({"a":"b"})",
      R"({"a" : "b" , "c":1, "d":[1,2,{"e":"f,}"}], "g":{"h":null,"i":[true,false]}})",
      R"({"esc":"q\"b\\s\/ \b\f\n\r\t end","u":"\u00e9\u20AC\ud83d\ude00\u0000x"})",
      R"({"num":-1.5e3,"big":18446744073709551615,"neg":-9223372036854775808})",
      "{\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"}",
      R"({"dup":"first","dup":"second"})",
      R"({"dup":1,"dup":"second"})",
      R"({"k\u0041y":"v","":""})",
      R"({"nested":{"s":"x\"y","a":["}",",","]"]},"last":"z"})",
      // Not objects at the top: nlohmann's own parse.
      R"([1,2,3])",
      R"("a string")",
      "42",
      "null",
      // Malformed.
      "",
      "   ",
      "{",
      "{\"a\"",
      R"({"a":})",
      R"({"a":"b",})",
      R"({"a":"b" "c":"d"})",
      R"({"a":"b"} trailing)",
      R"({"a":"b"}})",
      R"({a:"b"})",
      R"({"a":'b'})",
      R"({"a":"unterminated})",
      R"({"a":"bad \x escape"})",
      R"({"a":"\u12"})",
      R"({"a":"\ud83d alone"})",
      R"({"a":"\ude00 low first"})",
      R"({"a":"\ud83d\u0041"})",
      "{\"a\":\"raw\ttab\"}",
      "{\"a\":\"raw\nnewline\"}",
      "{\"a\":\"bad \xff byte\"}",
      "{\"a\":\"overlong \xc0\xaf\"}",
      "{\"a\":\"surrogate \xed\xa0\x80\"}",
      "{\"a\":\"truncated \xe2\x82\"}",
      "{\"a\":\"beyond \xf4\x90\x80\x80\"}",
      R"({"a":[1,2})",
      R"({"a":tru})",
      R"({"a":1 2})",
      R"({"a":// comment
      1})",
  };
  for (const auto& text : documents) {
    INFO("document: " << text);
    const json expected = reference(text);
    const json got = parseJson(text);
    CHECK(got.is_discarded() == expected.is_discarded());
    if (!expected.is_discarded()) CHECK(got == expected);
  }
}

TEST_CASE("plugin JSON: dumpJson writes what nlohmann writes", "[plugins][json]") {
  std::string control;
  for (int c = 0; c < 0x20; ++c) control.push_back(static_cast<char>(c));
  const std::vector<json> values = {
      json::object(),
      json{{"a", "b"}, {"n", 1}, {"f", 1.25}, {"z", nullptr}, {"t", true}},
      json{{"esc", "q\"b\\s/ end"}, {"ctl", control}, {"del", "\x7f"}},
      json{{"utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}},
      json{{"bad", "bad \xff byte"}, {"key \xfe", "v"}},  // replaced by U+FFFD, as nlohmann does
      json{{"arr", {1, "two", json{{"three", "\n"}}}}, {"obj", {{"x", "y"}}}},
      json::array({"not", "an", "object"}),
      json("just a string"),
  };
  for (const auto& value : values) {
    INFO("value: " << referenceDump(value));
    CHECK(dumpJson(value) == referenceDump(value));
  }

  std::string out = "prefix";
  CHECK_FALSE(appendJsonString(out, "bad \xc3"));
  CHECK(out == "prefix");  // untouched when it refuses
  CHECK(appendJsonString(out, "a\tb"));
  CHECK(out == "prefix\"a\\tb\"");
}

TEST_CASE("plugin JSON: parseJson and dumpJson agree with nlohmann on random documents",
          "[plugins][json]") {
  std::mt19937 rng(20261122);
  // Bytes weighted towards the ones that need care: quotes, backslashes,
  // control characters, UTF-8 lead and continuation bytes.
  const std::string alphabet = std::string("\"\\/\t\n\x01\x1f\x7f bnu0aZ{}[],:") +
                               "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff\x80\xbf\xed\xa0";
  auto randomString = [&](std::size_t maxLen) {
    std::string s(rng() % maxLen, ' ');
    for (auto& c : s) c = rng() % 3 == 0 ? alphabet[rng() % alphabet.size()] : 'a' + rng() % 26;
    return s;
  };
  for (int round = 0; round < 2000; ++round) {
    json doc = json::object();
    const int members = static_cast<int>(rng() % 5);
    for (int m = 0; m < members; ++m) {
      const std::string key = randomString(6);
      switch (rng() % 3) {
        case 0:
          doc[key] = randomString(round % 50 == 0 ? 5000 : 40);
          break;
        case 1:
          doc[key] = static_cast<int>(rng() % 1000) - 500;
          break;
        default:
          doc[key] = json::array({randomString(8), json{{randomString(3), randomString(8)}}});
      }
    }
    const std::string dumped = referenceDump(doc);
    INFO("round " << round << ": " << dumped);
    REQUIRE(dumpJson(doc) == dumped);
    const json expected = reference(dumped);
    const json parsed = parseJson(dumped);
    REQUIRE(parsed.is_discarded() == expected.is_discarded());
    if (!expected.is_discarded()) REQUIRE(parsed == expected);

    // The same text with one byte changed: both parsers agree on validity.
    std::string mutated = dumped;
    mutated[rng() % mutated.size()] = alphabet[rng() % alphabet.size()];
    const json expectedMutated = reference(mutated);
    const json parsedMutated = parseJson(mutated);
    INFO("mutated: " << mutated);
    REQUIRE(parsedMutated.is_discarded() == expectedMutated.is_discarded());
    if (!expectedMutated.is_discarded()) REQUIRE(parsedMutated == expectedMutated);
  }
}

TEST_CASE("plugin JSON: a string of tens of MB crosses in bulk", "[plugins][json]") {
  std::string tsv;
  for (int i = 0; i < 200000; ++i) tsv += "0123456789ABCDEF0123456789ABCDEF\t1700000000\t1\n";
  const json doc = {{"crl_number", 7}, {"revoked_tsv", tsv}};
  const std::string text = dumpJson(doc);
  CHECK(text == referenceDump(doc));
  const json back = parseJson(text);
  REQUIRE(back.is_object());
  CHECK(back["revoked_tsv"].get_ref<const std::string&>() == tsv);
  CHECK(back["crl_number"] == 7);
}

TEST_CASE("plugin JSON: writeJson hands long plain strings to the sink uncopied",
          "[plugins][json]") {
  const std::string base64(200000, 'A');
  std::string escaped(100000, 'x');
  escaped[500] = '\n';
  const json doc = {{"a_crl_der_base64", base64}, {"b", 1}, {"c_text", escaped}, {"d", "short"}};
  std::vector<std::string> pieces;
  auto collect = [&](const char* p, std::size_t n) {
    pieces.emplace_back(p, n);
    return true;
  };
  REQUIRE(writeJson(doc, collect));
  std::string joined;
  for (const auto& piece : pieces) joined += piece;
  CHECK(joined == referenceDump(doc));
  REQUIRE(pieces.size() == 3);  // head, the base64 as it is, the rest
  CHECK(pieces[1].size() == base64.size());

  CHECK_FALSE(writeJson(doc, [](const char*, std::size_t) { return false; }));
  std::string whole;
  REQUIRE(writeJson(json::array({1, 2}), [&](const char* p, std::size_t n) {
    whole.append(p, n);
    return true;
  }));
  CHECK(whole == "[1,2]");
}
