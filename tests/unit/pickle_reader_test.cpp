#include <doctest/doctest.h>

#include "pickle/pickle_reader.h"
#include "test_bytes.h"

using namespace mtool;

namespace {
PickleProgram parse(std::string_view bytes) { return read_pickle(bytes); }
}  // namespace

TEST_CASE("protocol 2: dict, list, floats, big ints, memo") {
  // pickle.dumps({'a': [1, 2.5, 'x', None, True], 'b': (1 << 70, -5)}, protocol=2)
  std::string bytes = test::from_hex(
      "80027d71002858010000006171015d7102284b0147400400000000000058010000007"
      "871034e886558010000006271048a090000000000000000404afbffffff867105752e");
  PickleProgram program = parse(bytes);
  CHECK(program.protocol == 2);
  CHECK(program.end_offset == bytes.size());
  const PickleNode* root = program.root;
  REQUIRE(root->is(PickleKind::Dict));
  REQUIRE(root->items.size() == 4);
  CHECK(*root->items[0]->as_string() == "a");
  const PickleNode* list = root->items[1];
  REQUIRE(list->is(PickleKind::List));
  REQUIRE(list->items.size() == 5);
  CHECK(list->items[0]->as_int() == 1);
  CHECK(list->items[1]->float_value == 2.5);
  CHECK(*list->items[2]->as_string() == "x");
  CHECK(list->items[3]->is(PickleKind::None));
  CHECK(list->items[4]->bool_value);
  const PickleNode* pair = root->items[3];
  CHECK(pair->items[0]->big_int);
  CHECK(pair->items[0]->text == "400000000000000000");
  CHECK(pair->items[1]->as_int() == -5);
  CHECK(program.globals.empty());
}

TEST_CASE("protocol 0 text opcodes") {
  // pickle.dumps({'a': [1, 2.5, 'x']}, protocol=0)
  PickleProgram program = parse("(dp0\nVa\np1\n(lp2\nI1\naF2.5\naVx\np3\nas.");
  REQUIRE(program.root->is(PickleKind::Dict));
  const PickleNode* list = program.root->items[1];
  REQUIRE(list->items.size() == 3);
  CHECK(list->items[1]->float_value == 2.5);
}

TEST_CASE("protocol 4: STACK_GLOBAL, MEMOIZE, FRAME and bytes") {
  // pickle.dumps(collections.OrderedDict(k=b'xy'), protocol=4)
  std::string bytes = test::from_hex("8004952c000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b944302787994732e");
  PickleProgram program = parse(bytes);
  REQUIRE(program.globals.size() == 1);
  CHECK(program.globals[0].module == "collections");
  CHECK(program.globals[0].name == "OrderedDict");
  CHECK(program.root->call_target() == "collections.OrderedDict");
  REQUIRE(program.root->items.size() == 2);
  CHECK(program.root->items[1]->text == "xy");
}

TEST_CASE("globals are recorded, never resolved or called") {
  PickleProgram program = parse("cos\nsystem\n(S'touch /tmp/mtool-should-not-exist'\ntR.");
  REQUIRE(program.globals.size() == 1);
  CHECK(program.globals[0].module == "os");
  CHECK(program.globals[0].name == "system");
  CHECK(program.root->call_target() == "os.system");
  CHECK(describe(program.root) == "os.system('touch /tmp/mtool-should-not-exist')");
}

TEST_CASE("STACK_GLOBAL with computed operands is reported unresolved") {
  // module and name come from a call's result, not literal strings
  PickleProgram program = parse(test::from_hex("8004636275696c74696e730a676574617474720a29528c0178932e"));
  REQUIRE(program.globals.size() == 2);
  CHECK_FALSE(program.globals[1].resolved);
}

TEST_CASE("cycles through the memo are harmless") {
  // l = []; l.append(l)
  PickleProgram program = parse(test::from_hex("80025d71006800612e"));
  REQUIRE(program.root->items.size() == 1);
  CHECK(program.root->items[0] == program.root);
  CHECK(describe(program.root, 3).size() < 100);
}

TEST_CASE("bad pickles fail with one clear message") {
  SUBCASE("truncated: no STOP") {
    CHECK_THROWS_WITH_AS(parse(std::string_view("\x80\x02]q\x00", 5)), doctest::Contains("without a STOP"),
                         FormatError);
  }
  SUBCASE("memo reference to nothing") {
    CHECK_THROWS_WITH_AS(parse(std::string_view("\x80\x02h\x05.", 5)),
                         "offset 2: memo entry 5 is used before it is stored", FormatError);
  }
  SUBCASE("huge claimed length") {
    CHECK_THROWS_WITH_AS(parse(std::string_view("\x80\x02X\xff\xff\xff\x7f", 7)),
                         doctest::Contains("needs 2147483647 bytes but only 0 remain"), FormatError);
  }
  SUBCASE("unknown opcode") {
    CHECK_THROWS_WITH_AS(parse(std::string_view("\x80\x02\xff.", 4)), "offset 2: unknown pickle opcode 0xff",
                         FormatError);
  }
  SUBCASE("stack underflow") {
    CHECK_THROWS_WITH_AS(parse(std::string_view("\x80\x02R.", 4)), doctest::Contains("stack is empty"), FormatError);
  }
  SUBCASE("deep nesting") {
    std::string deep = "\x80\x02N" + std::string(5000, '\x85') + ".";
    CHECK_THROWS_WITH_AS(parse(deep), doctest::Contains("nest deeper than 1000"), FormatError);
  }
  SUBCASE("unsupported protocol") {
    CHECK_THROWS_AS(parse(std::string_view("\x80\x09N.", 4)), FormatError);
  }
}

TEST_CASE("looks_like_pickle") {
  CHECK(looks_like_pickle(std::string_view("\x80\x02", 2)));
  CHECK(looks_like_pickle("(dp0\n"));
  CHECK_FALSE(looks_like_pickle(std::string_view("\x80\x09", 2)));
  // Any opcode can open a pickle: 'P' (PERSID) begins a zip, 'X' a BINUNICODE.
  CHECK(looks_like_pickle("PK\x03\x04"));
  CHECK(looks_like_pickle(std::string_view("X\x01\x00\x00\x00a", 6)));
  CHECK_FALSE(looks_like_pickle(std::string_view("\x00\x01", 2)));
  CHECK_FALSE(looks_like_pickle("{\"json\": 1}"));
  CHECK_FALSE(looks_like_pickle(""));
}

TEST_CASE("names are read as the unpickler resolves them") {
  SUBCASE("STRING escapes and UNICODE escapes") {
    PickleProgram program = read_pickle("\x80\x04S'p\\x6fsix'\nVsys\\u0074em\n\x93.");
    REQUIRE(program.globals.size() == 1);
    CHECK(program.globals[0].module == "posix");
    CHECK(program.globals[0].name == "system");
  }
  SUBCASE("Python 2 renames") {
    PickleProgram program = read_pickle("c__builtin__\nxrange\n.");
    CHECK(program.globals[0].module == "builtins");
    CHECK(program.globals[0].name == "range");
  }
  SUBCASE("extension codes registered earlier in the stream") {
    std::string pickle("\x80\x02" "ccopy_reg\nadd_extension\n(X\x02\x00\x00\x00osX\x06\x00\x00\x00systemK\x07tR0"
                       "\x82\x07.", 53);
    PickleProgram program = read_pickle(pickle);
    REQUIRE(program.globals.size() == 2);
    CHECK(program.globals[1].module + "." + program.globals[1].name == "os.system");
    CHECK(program.globals[1].resolved);
  }
  SUBCASE("an unregistered code stays unresolved") {
    PickleProgram program = read_pickle(std::string_view("\x80\x02\x82\x09.", 5));
    CHECK_FALSE(program.globals[0].resolved);
  }
  SUBCASE("STACK_GLOBAL on literals that are not text is refused, as CPython refuses it") {
    CHECK_THROWS_AS(read_pickle(std::string_view("\x80\x04K\x01K\x02\x93.", 8)), FormatError);
  }
}
