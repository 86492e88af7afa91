// The flatbuffer reader on hand-laid buffers: what it reads, and that every
// offset, length, nesting depth and object count is checked.
#include <doctest/doctest.h>
#include <vector>

#include "io/flatbuffer_reader.h"

using namespace mtool;

namespace {

struct Layout {
  std::string bytes;
  size_t put16(uint16_t v) { return put(v, 2); }
  size_t put32(uint32_t v) { return put(v, 4); }
  size_t put(uint64_t v, int width) {
    size_t at = bytes.size();
    for (int i = 0; i < width; ++i) bytes += static_cast<char>((v >> (8 * i)) & 0xff);
    return at;
  }
  void patch32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void pad4() {
    while (bytes.size() % 4 != 0) bytes += '\0';
  }
  // The root offset (patched later), an identifier, and a vtable for tables
  // of one offset field at position 4; returns the vtable's position.
  size_t start_with_one_field_vtable(const char* identifier) {
    put32(0);
    bytes += identifier;
    size_t vtable = put16(6);
    put16(8);
    put16(4);
    pad4();
    return vtable;
  }
  // A table using `vtable`, its field 0 patched later; returns the table's position.
  size_t table(size_t vtable) {
    size_t at = put32(0);
    patch32(at, static_cast<uint32_t>(at - vtable));
    put32(0);
    return at;
  }
};

// Root table: field 0 u32 7, field 1 string "hi", field 2 [int] {1, 2, 3}.
struct Sample {
  Layout layout;
  size_t root_at, table, string_slot, vector_slot, string_at, vector_at;
  Sample() {
    root_at = layout.put32(0);
    layout.bytes += "TEST";
    size_t vtable = layout.put16(10);
    layout.put16(16);
    layout.put16(4);
    layout.put16(8);
    layout.put16(12);
    layout.pad4();
    table = layout.put32(0);
    layout.patch32(table, static_cast<uint32_t>(table - vtable));
    layout.put32(7);
    string_slot = layout.put32(0);
    vector_slot = layout.put32(0);
    string_at = layout.put32(2);
    layout.bytes += "hi";
    layout.bytes += '\0';
    layout.pad4();
    vector_at = layout.put32(3);
    for (uint32_t v : {1u, 2u, 3u}) layout.put32(v);
    layout.patch32(root_at, static_cast<uint32_t>(table));
    layout.patch32(string_slot, static_cast<uint32_t>(string_at - string_slot));
    layout.patch32(vector_slot, static_cast<uint32_t>(vector_at - vector_slot));
  }
};

}  // namespace

TEST_CASE("flatbuffer reader reads scalars, strings, vectors and absent fields") {
  Sample sample;
  FlatBuffer buffer(sample.layout.bytes);
  FlatTable root = FlatTable::root(buffer);
  CHECK(flatbuffer_identifier(sample.layout.bytes) == "TEST");
  CHECK(root.u32(0) == 7);
  CHECK(root.string(1) == "hi");
  FlatVector values = root.vector(2, 4);
  REQUIRE(values.size() == 3);
  CHECK(values.i32(2) == 3);
  CHECK_FALSE(root.has(3));
  CHECK(root.u32(3, 42) == 42);
  CHECK_FALSE(root.string(7).has_value());
  CHECK(root.vector(9, 4).empty());
  CHECK_THROWS_AS(values.i32(3), FormatError);
}

TEST_CASE("flatbuffer reader checks every offset and length against the buffer") {
  auto fails = [](Sample& sample, const char* message) {
    FlatBuffer buffer(sample.layout.bytes);
    CHECK_THROWS_WITH_AS(
        {
          FlatTable root = FlatTable::root(buffer);
          root.string(1);
          root.vector(2, 4);
        },
        doctest::Contains(message), FormatError);
  };
  Sample long_vector;
  long_vector.layout.patch32(long_vector.vector_at, 0x40000000);
  fails(long_vector, "past the end");
  Sample far_string;
  far_string.layout.patch32(far_string.string_slot, 0x7fffffff);
  fails(far_string, "points past the end");
  Sample long_string;
  long_string.layout.patch32(long_string.string_at, 1000);
  fails(long_string, "past the end");
  Sample lost_vtable;
  lost_vtable.layout.patch32(lost_vtable.table, static_cast<uint32_t>(-1000));
  fails(lost_vtable, "vtable outside the buffer");
  Sample far_root;
  far_root.layout.patch32(0, 5000);
  fails(far_root, "root table offset");
  Sample cut;
  cut.layout.bytes.resize(cut.vector_at + 6);
  fails(cut, "past the end");
}

TEST_CASE("flatbuffer reader caps nesting depth and the objects one file makes it visit") {
  // 100 tables, each whose field 0 points to the next (offsets only point forward).
  Layout chain;
  size_t vtable = chain.start_with_one_field_vtable("DEEP");
  std::vector<size_t> tables;
  for (int i = 0; i < 100; ++i) tables.push_back(chain.table(vtable));
  chain.patch32(0, static_cast<uint32_t>(tables[0]));
  for (size_t i = 0; i + 1 < tables.size(); ++i) chain.patch32(tables[i] + 4, static_cast<uint32_t>(tables[i + 1] - (tables[i] + 4)));
  {
    FlatBuffer buffer(chain.bytes);
    std::optional<FlatTable> table = FlatTable::root(buffer);
    CHECK_THROWS_WITH_AS(
        {
          while (table) table = table->table(0);
        },
        doctest::Contains("nested deeper"), FormatError);
  }
  // A vector of 1000 offsets to one table, read with a budget of 100 objects.
  Layout reused;
  size_t vt = reused.start_with_one_field_vtable("MANY");
  size_t root = reused.table(vt);
  size_t slot = root + 4;
  size_t vector = reused.put32(1000);
  std::vector<size_t> slots;
  for (int i = 0; i < 1000; ++i) slots.push_back(reused.put32(0));
  size_t target = reused.table(vt);
  for (size_t at : slots) reused.patch32(at, static_cast<uint32_t>(target - at));
  reused.patch32(0, static_cast<uint32_t>(root));
  reused.patch32(slot, static_cast<uint32_t>(vector - slot));
  FlatBuffer buffer(reused.bytes, 100);
  FlatVector tables_in_vector = FlatTable::root(buffer).vector(0, 4);
  REQUIRE(tables_in_vector.size() == 1000);
  CHECK_THROWS_WITH_AS(
      {
        for (uint64_t i = 0; i < tables_in_vector.size(); ++i) tables_in_vector.table(i);
      },
      doctest::Contains("more objects"), FormatError);
}
