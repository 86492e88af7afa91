#include <doctest/doctest.h>

#include "inspect/bytecode.h"
#include "pickle/pickle_reader.h"
#include "test_bytes.h"

using namespace mtool;

// pickle.dumps((8, ('__torch__.M.forward', (('instructions', (('OP',0,0),('OP',0,0),('OP',1,0),('RET',0,0))),
//   ('operators', (('aten::add','Tensor',2),('aten::relu','',1))), ('constants',()), ('types',()),
//   ('register_size',2)), (('arguments', (<self: __torch__.M>, <x: Tensor>, <alpha: float = 0.5>)),
//   ('returns', (<Tensor>,))))), protocol=2)  -- the shape PyTorch 1.13 writes
static const std::string kBytecode = test::from_hex(
    "80024b0858130000005f5f746f7263685f5f2e4d2e666f7277617264710028580c000000696e737472756374696f6e73710128580200"
    "00004f5071024b004b00877103680368024b014b00877104580300000052455471054b004b0087710674710786710858090000006f7065"
    "7261746f7273710958090000006174656e3a3a616464710a580600000054656e736f72710b4b0287710c580a0000006174656e3a3a7265"
    "6c75710d5800000000710e4b0187710f8671108671115809000000636f6e7374616e747371122986711358050000007479706573711429"
    "867115580d00000072656769737465725f73697a6571164b028671177471185809000000617267756d656e7473711958040000006e616d"
    "65711a580400000073656c66711b86711c580400000074797065711d580b0000005f5f746f7263685f5f2e4d711e86711f580d00000064"
    "656661756c745f76616c756571204e867121877122681a5801000000787123867124681d680b8671256821877126681a5805000000616c"
    "7068617127867128681d5805000000666c6f6174712986712a6820473fe000000000000086712b87712c87712d86712e58070000007265"
    "7475726e73712f681a680e867130682568218771318571328671338671348771358671362e");

TEST_CASE("bytecode: version, method schema and operator counts") {
  BytecodeInfo info = read_bytecode(read_pickle(kBytecode));
  CHECK(info.version == 8);
  REQUIRE(info.methods.size() == 1);
  CHECK(info.methods[0].owner == "__torch__.M");
  CHECK(info.methods[0].name == "forward");
  CHECK(render_signature(info.methods[0].signature) == "(x: Tensor, alpha: float=0.5) -> Tensor");
  REQUIRE(info.methods[0].signature);
  REQUIRE(info.methods[0].signature->arguments.size() == 2);  // the module argument is not an input
  CHECK(info.methods[0].signature->arguments[1].name == "alpha");
  CHECK(info.methods[0].signature->arguments[1].type == "float");
  CHECK(info.methods[0].signature->arguments[1].default_value == "0.5");
  REQUIRE(info.operators.size() == 2);
  CHECK(info.operators[0].full_name() == "aten::add.Tensor");
  CHECK(info.operators[0].count == 2);
  CHECK(info.operators[0].num_specified_args == 2);
  CHECK(info.operators[1].full_name() == "aten::relu");
  CHECK(info.operators[1].count == 1);
}

TEST_CASE("bytecode: a pickle of another shape is refused") {
  CHECK_THROWS_AS(read_bytecode(read_pickle(test::from_hex("80025d712e"))), FormatError);  // []
  CHECK_THROWS_AS(read_bytecode(read_pickle(test::from_hex("8002580100000078852e"))), FormatError);  // ('x',)
}
