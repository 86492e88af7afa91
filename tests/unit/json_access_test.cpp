#include <doctest/doctest.h>

#include "io/json_access.h"

using namespace mtool;
using nlohmann::json;

TEST_CASE("untrusted JSON of the wrong type is a FormatError naming what was expected") {
  json header = json::parse(R"({"w": {"dtype": 7, "shape": [2, -1, 2.5], "data_offsets": ["0", 16]}})");
  const json& w = json_member(header, "w", "header");
  CHECK_THROWS_WITH_AS(json_member(header, "x", "header"), "header has no \"x\"", FormatError);
  CHECK_THROWS_WITH_AS(json_string(json_member(w, "dtype", "w"), "w dtype"), "w dtype is not a string", FormatError);
  const json& shape = json_array(json_member(w, "shape", "w"), "w shape");
  CHECK(json_u64(shape[0], "dim") == 2);
  CHECK_THROWS_AS(json_u64(shape[1], "dim"), FormatError);
  CHECK_THROWS_AS(json_u64(shape[2], "dim"), FormatError);
  CHECK_THROWS_AS(json_u64(json_member(w, "data_offsets", "w")[0], "offset"), FormatError);
  CHECK_THROWS_AS(json_array(json_member(w, "dtype", "w"), "w dtype"), FormatError);
  CHECK_THROWS_AS(json_member(shape, "x", "w shape"), FormatError);
}
