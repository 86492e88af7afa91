#include <doctest/doctest.h>

#include "inspect/torchscript_code.h"

using namespace mtool;

// As torch.jit.save 1.13 prints a module (code/__torch__.py).
static constexpr std::string_view kSource = R"(class M(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  c : __torch__.torch.nn.modules.conv.Conv2d
  def forward(s: __torch__.M,
    x: Tensor,
    scale: float=1.) -> Tensor:
    c = s.c
    y = torch.mean(torch.relu((c).forward(x, )), [2, 3])
    z = ops.quantized.linear(y, s.w, 1., 0)
    _0 = ops.torchvision.nms(y, y, 0.5)
    return torch.mul(z, scale)
  def helper(self: __torch__.M) -> int:
    return torch.len(torch.device("cpu"))
def free_function(x: Tensor) -> Tensor:
  return torch.relu(x)
)";

TEST_CASE("classes, methods and the forward signature") {
  CodeInfo info;
  scan_torchscript_source("__torch__", kSource, info);
  REQUIRE(info.classes.size() == 1);
  CHECK(info.classes[0].name == "__torch__.M");
  CHECK(info.classes[0].methods == std::vector<std::string>{"forward", "helper"});
  REQUIRE(info.forward_by_class.count("__torch__.M") == 1);
  CHECK(render_signature(info.forward_by_class["__torch__.M"].signature) == "(x: Tensor, scale: float=1.) -> Tensor");
}

TEST_CASE("operator call sites") {
  CodeInfo info;
  scan_torchscript_source("__torch__", kSource, info);
  CHECK(info.call_sites["aten::relu"] == 2);
  CHECK(info.call_sites["aten::mean"] == 1);
  CHECK(info.call_sites["aten::mul"] == 1);
  CHECK(info.call_sites["aten::len"] == 1);
  CHECK(info.call_sites["quantized::linear"] == 1);
  CHECK(info.call_sites["torchvision::nms"] == 1);
  CHECK(info.call_sites.count("aten::device") == 0);   // a constant, not an operator
  CHECK(info.call_sites.count("aten::nn") == 0);       // type annotations are not calls
}

TEST_CASE("module names from record paths") {
  CHECK(module_of_code_record("code/__torch__.py") == "__torch__");
  CHECK(module_of_code_record("code/__torch__/torch/nn/modules/conv.py") == "__torch__.torch.nn.modules.conv");
}
