#include <doctest/doctest.h>

#include "scan/global_policy.h"

using namespace mtool;

TEST_CASE("safe is an allowlist") {
  GlobalPolicy policy;
  auto plain = PickleContext::Plain;
  CHECK(policy.classify("collections", "OrderedDict", plain) == Verdict::Safe);
  CHECK(policy.classify("torch._utils", "_rebuild_tensor_v2", plain) == Verdict::Safe);
  CHECK(policy.classify("torch", "FloatStorage", plain) == Verdict::Safe);
  CHECK(policy.classify("torch", "bfloat16", plain) == Verdict::Safe);
  CHECK(policy.classify("numpy.core.multiarray", "_reconstruct", plain) == Verdict::Safe);
  // Not listed, so not safe, however harmless it looks.
  CHECK(policy.classify("torch.nn.modules.conv", "Conv2d", plain) == Verdict::Unknown);
  CHECK(policy.classify("__main__", "Net", plain) == Verdict::Unknown);
  CHECK(policy.classify("torch", "Generator", plain) == Verdict::Unknown);
}

TEST_CASE("known dangerous globals, by module and by name") {
  GlobalPolicy policy;
  auto plain = PickleContext::Plain;
  for (auto [module, name] : {std::pair{"os", "system"}, std::pair{"posix", "system"}, std::pair{"nt", "system"},
                              std::pair{"subprocess", "Popen"}, std::pair{"builtins", "eval"},
                              std::pair{"builtins", "getattr"}, std::pair{"__builtin__", "apply"},
                              std::pair{"runpy", "_run_code"}, std::pair{"bdb", "Bdb.run"},
                              std::pair{"torch.utils.collect_env", "run"}, std::pair{"uuid", "_get_command_stdout"},
                              std::pair{"http.client", "HTTPSConnection"}, std::pair{"pickle", "loads"},
                              std::pair{"torch.serialization", "load"}, std::pair{"os.path", "join"}}) {
    CAPTURE(module);
    CAPTURE(name);
    CHECK(policy.classify(module, name, plain) == Verdict::Dangerous);
  }
  // A prefix is a module boundary, not a string prefix.
  CHECK(policy.classify("osmosis", "run", plain) == Verdict::Unknown);
  CHECK(policy.classify("builtins", "print", plain) == Verdict::Unknown);
}

TEST_CASE("TorchScript's own classes are safe only inside TorchScript archives") {
  GlobalPolicy policy;
  CHECK(policy.classify("__torch__", "Net", PickleContext::TorchScriptArchive) == Verdict::Safe);
  CHECK(policy.classify("__torch__.torch.nn.modules.conv", "Conv2d", PickleContext::TorchScriptArchive) == Verdict::Safe);
  CHECK(policy.classify("torch.jit._pickle", "build_intlist", PickleContext::TorchScriptArchive) == Verdict::Safe);
  CHECK(policy.classify("__torch__", "Net", PickleContext::Plain) == Verdict::Unknown);
  CHECK(policy.classify("os", "system", PickleContext::TorchScriptArchive) == Verdict::Dangerous);
}

TEST_CASE("--allow accepts named globals") {
  GlobalPolicy policy;
  policy.allowed = {"__main__.Net", "os.system"};
  CHECK(policy.classify("__main__", "Net", PickleContext::Plain) == Verdict::Safe);
  CHECK(policy.classify("__main__", "Other", PickleContext::Plain) == Verdict::Unknown);
  CHECK(policy.classify("os", "system", PickleContext::Plain) == Verdict::Safe);  // the user said so, by name
  CHECK(policy.classify("os", "popen", PickleContext::Plain) == Verdict::Dangerous);
}
