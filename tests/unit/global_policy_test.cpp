#include <doctest/doctest.h>

#include "scan/global_policy.h"
#include "torch_pickle/torch_pickle.h"

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
  // A pair, not a structured binding: clang before 16 cannot capture bindings (doctest's CAPTURE does).
  for (auto global : {std::pair{"os", "system"}, std::pair{"posix", "system"}, std::pair{"nt", "system"},
                              std::pair{"subprocess", "Popen"}, std::pair{"builtins", "eval"},
                              std::pair{"builtins", "getattr"}, std::pair{"__builtin__", "apply"},
                              std::pair{"runpy", "_run_code"}, std::pair{"bdb", "Bdb.run"},
                              std::pair{"torch.utils.collect_env", "run"}, std::pair{"uuid", "_get_command_stdout"},
                              std::pair{"http.client", "HTTPSConnection"}, std::pair{"pickle", "loads"},
                              std::pair{"torch.serialization", "load"}, std::pair{"os.path", "join"}}) {
    const char* module = global.first;
    const char* name = global.second;
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

TEST_CASE("dotted names are followed as find_class follows them") {
  GlobalPolicy policy;
  auto plain = PickleContext::Plain;
  CHECK(policy.classify("pathlib", "os.system", plain) == Verdict::Dangerous);
  CHECK(policy.classify("builtins", "__dict__.get", plain) == Verdict::Dangerous);
  CHECK(policy.classify("numpy.dtypes", "__builtins__.get", plain) == Verdict::Dangerous);
  CHECK(policy.classify("code", "InteractiveInterpreter.runcode", plain) == Verdict::Dangerous);
  CHECK(policy.classify("collections", "OrderedDict.fromkeys", plain) == Verdict::Unknown);  // never safe by prefix
  // The allowlist holds exact names: no module is allowed whole.
  CHECK(policy.classify("numpy.dtypes", "Float32DType", plain) == Verdict::Safe);
  CHECK(policy.classify("numpy.dtypes", "NotADType", plain) == Verdict::Unknown);
  CHECK(policy.classify("torch.jit._pickle", "build_intlist", plain) == Verdict::Unknown);
  CHECK(policy.classify("torch.jit._pickle", "something_else", PickleContext::TorchScriptArchive) == Verdict::Unknown);
}

TEST_CASE("Python 2 names are classified as the Python 3 names the unpickler imports") {
  GlobalPolicy policy;
  auto plain = PickleContext::Plain;
  CHECK(policy.classify("__builtin__", "xrange", plain) == Verdict::Safe);  // builtins.range
  CHECK(policy.classify("__builtin__", "set", plain) == Verdict::Safe);
  CHECK(policy.classify("cPickle", "loads", plain) == Verdict::Dangerous);  // pickle.loads
  CHECK(policy.classify("commands", "getoutput", plain) == Verdict::Dangerous);
  CHECK(policy.classify("__builtin__", "reduce", plain) == Verdict::Dangerous);  // functools.reduce
}

TEST_CASE("every storage class torch.save names is a value, for scan as for inspect") {
  // torch._storage_classes of PyTorch 1.13 (its weights_only unpickler accepts
  // each), read with Python; QUInt2x4Storage was once missing from scan's list.
  GlobalPolicy policy;
  for (const char* name : {"BFloat16Storage", "BoolStorage", "ByteStorage", "CharStorage", "ComplexDoubleStorage",
                           "ComplexFloatStorage", "DoubleStorage", "FloatStorage", "HalfStorage", "IntStorage",
                           "LongStorage", "QInt32Storage", "QInt8Storage", "QUInt2x4Storage", "QUInt4x2Storage",
                           "QUInt8Storage", "ShortStorage"}) {
    CAPTURE(name);
    CHECK(policy.classify("torch", name, PickleContext::Plain) == Verdict::Safe);
    CHECK(is_storage_class(std::string("torch.") + name));
    CHECK(element_size(dtype_of_storage_class(std::string("torch.") + name)) > 0);
  }
  CHECK(dtype_of_storage_class("torch.QUInt2x4Storage") == "quint2x4");
  CHECK(policy.classify("torch", "Storage", PickleContext::Plain) == Verdict::Unknown);
  CHECK_FALSE(is_storage_class("torch.Storage"));
  CHECK_FALSE(is_storage_class("evil.FloatStorage"));
}

TEST_CASE("what PyTorch 1.13's weights_only=True accepts, of what scan calls safe") {
  // torch._weights_only_unpickler._get_allowed_globals() of torch 1.13, read with /usr/bin/python3.
  for (const char* name : {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage",
                           "torch.storage.UntypedStorage", "torch.float32", "torch.complex32", "torch.Size"}) {
    CAPTURE(name);
    CHECK(weights_only_accepts(name));
  }
  // Safe for scan, refused by 1.13: NumPy's rebuilds (with_numpy.pt names the first two and
  // _codecs.encode), newer tensor rebuilds, and dtypes 1.13's list leaves out.
  for (const char* name :
       {"numpy.core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype", "_codecs.encode",
        "torch._utils._rebuild_tensor_v3", "torch.device", "torch.uint8", "torch.bool", "torch.per_tensor_affine"}) {
    CAPTURE(name);
    CHECK(!weights_only_accepts(name));
  }
}
