// TorchScript method headers read into arguments once, at the reader, and
// rendered back to the text TorchScript printed.
#include <doctest/doctest.h>

#include "inspect/signature.h"

using mtool::parse_signature;
using mtool::render_signature;
using mtool::Signature;

TEST_CASE("a header's arguments: names, types and defaults, the module left out") {
  std::optional<Signature> signature =
      parse_signature("(self: __torch__.M, x: Tensor, sizes: List[int]=[1, 2], mode: str=\"a,b=c\") -> Tensor");
  REQUIRE(signature);
  REQUIRE(signature->arguments.size() == 3);
  CHECK(signature->arguments[0].name == "x");
  CHECK(signature->arguments[0].type == "Tensor");
  CHECK_FALSE(signature->arguments[0].default_value);
  CHECK(signature->arguments[1].type == "List[int]");
  CHECK(signature->arguments[1].default_value == "[1, 2]");     // the comma inside brackets is not a separator
  CHECK(signature->arguments[2].default_value == "\"a,b=c\"");  // nor are those inside quotes
  CHECK(signature->returns == "Tensor");
}

TEST_CASE("rendering gives back the header as TorchScript printed it, less the module") {
  for (const char* text :
       {"(x: Tensor, scale: float=1.) -> Tensor", "(a: Tensor, b: Optional[Tensor]=None) -> Tuple[Tensor, Tensor]",
        "(xs: List[Tensor], d: Dict[str, Tensor]) -> List[Tensor]",
        "(x: Tensor, pad: Tuple[int, int]=(1, 2)) -> Tensor", "() -> NoneType"}) {
    CAPTURE(text);
    std::string with_module = std::string("(self: __torch__.M") + (text[1] == ')' ? "" : ", ") + (text + 1);
    std::optional<Signature> signature = parse_signature(with_module);
    REQUIRE(signature);
    CHECK(render_signature(*signature) == text);
  }
  CHECK(render_signature(std::optional<Signature>()).empty());
}

TEST_CASE("text that is not a method header is not a signature") {
  for (const char* text : {"", "(", "x: Tensor", "(self, x: Tensor", "(self, x: Tensor) Tensor", "no signature"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_signature(text));
  }
}
