#include <doctest/doctest.h>

#include "inspect/runtime_versions.h"

using namespace mtool;

TEST_CASE("release lookup accepts X.Y, X.Y.Z and vX.Y") {
  REQUIRE(find_runtime_release("1.10"));
  CHECK(find_runtime_release("1.10.2")->max_bytecode == 7);
  CHECK(find_runtime_release("v1.9")->max_bytecode == 5);
  CHECK_FALSE(find_runtime_release("1.1"));
  CHECK_FALSE(find_runtime_release("banana"));
  CHECK_FALSE(find_runtime_release("1.10x"));
}

TEST_CASE("the table is ordered and consistent") {
  auto releases = runtime_releases();
  REQUIRE(releases.size() > 5);
  for (size_t i = 1; i < releases.size(); ++i) {
    CHECK(releases[i].max_file_format >= releases[i - 1].max_file_format);
    CHECK(releases[i].max_bytecode >= releases[i - 1].max_bytecode);
    CHECK(releases[i].min_bytecode <= releases[i].max_bytecode);
  }
}

TEST_CASE("the linked LibTorch agrees with the table's row for its release") {
  const LinkedLibTorch& linked = linked_libtorch();
  auto row = find_runtime_release(linked.version);
  REQUIRE(row);
  CHECK(row->max_file_format == linked.max_file_format);
  CHECK(row->min_bytecode == linked.min_bytecode);
  CHECK(row->max_bytecode == linked.max_bytecode);
}
