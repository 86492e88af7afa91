#include "scan/global_policy.h"


namespace mtool {

namespace {

// What torch.load(weights_only=True) accepts (torch/_weights_only_unpickler.py),
// plus what numpy arrays need to be rebuilt.
constexpr std::string_view kSafeGlobals[] = {
    "collections.OrderedDict", "collections.Counter",
    "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_sparse_csr_tensor",
    "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_nested_tensor",
    "torch._tensor._rebuild_from_type_v2", "torch.nn.parameter.Parameter", "torch.Tensor", "torch.Size",
    "torch.device", "torch.serialization._get_layout", "torch.storage.UntypedStorage", "torch.UntypedStorage",
    "torch.storage.TypedStorage",
    "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.complex", "builtins.slice",
    "builtins.range", "__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray", "__builtin__.complex",
    "__builtin__.slice", "_codecs.encode",
    "numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar", "numpy._core.multiarray._reconstruct",
    "numpy._core.multiarray.scalar", "numpy.ndarray", "numpy.dtype",
    "torch.contiguous_format", "torch.channels_last", "torch.preserve_format", "torch.strided", "torch.sparse_coo",
    "torch.sparse_csr",
};

// torch.<dtype>, torch.<X>Storage and quantization schemes: values, not code.
constexpr std::string_view kSafeTorchNames[] = {
    "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
    "int16", "short", "int8", "uint8", "bool", "complex64", "complex128", "cfloat", "cdouble", "qint8", "quint8",
    "qint32", "quint4x2", "quint2x4", "float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64",
    "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
    "per_channel_affine_float_qparams", "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
    "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage", "ComplexFloatStorage", "ComplexDoubleStorage", "QInt8Storage", "QUInt8Storage",
    "QInt32Storage", "QUInt4x2Storage",
};

// Modules whose every global runs code, starts processes, touches files or the
// network, or unpickles more (picklescan's list, its advisories, and more).
constexpr std::string_view kDangerousModules[] = {
    "os", "posix", "nt", "subprocess", "sys", "runpy", "pty", "socket", "shutil", "webbrowser", "importlib",
    "pickle", "_pickle", "marshal", "dill", "cloudpickle", "joblib", "shelve", "code", "codeop", "commands",
    "popen2", "platform", "ctypes", "cffi", "multiprocessing", "concurrent", "asyncio", "threading", "_thread",
    "pdb", "bdb", "trace", "profile", "cProfile", "timeit", "pydoc", "venv", "ensurepip", "pip", "setuptools",
    "distutils", "pkg_resources", "httplib", "http", "urllib", "urllib2", "urllib3", "requests", "aiohttp",
    "ftplib", "telnetlib", "smtplib", "ssl", "xmlrpc", "socketserver", "signal", "tempfile", "io", "_io",
    "torch.hub", "torch.utils.collect_env", "torch._inductor", "torch.utils.cpp_extension", "numpy.testing",
    "numpy.f2py",
};

// Single functions that run code or reach the system from otherwise harmless modules.
constexpr std::string_view kDangerousGlobals[] = {
    "builtins.eval", "builtins.exec", "builtins.compile", "builtins.open", "builtins.getattr", "builtins.setattr",
    "builtins.delattr", "builtins.__import__", "builtins.globals", "builtins.locals", "builtins.vars",
    "builtins.input", "builtins.breakpoint", "builtins.exit", "builtins.quit", "builtins.help",
    "__builtin__.eval", "__builtin__.execfile", "__builtin__.apply", "__builtin__.file", "__builtin__.reload",
    "functools.partial", "operator.attrgetter", "operator.methodcaller", "uuid._get_command_stdout",
    "uuid._popen", "torch.load", "torch.serialization.load", "torch.jit.load", "numpy.load", "pandas.read_pickle",
};

// __builtin__ (Python 2) names the same functions as builtins.
constexpr std::string_view kDangerousPython2Builtins[] = {
    "compile", "open", "getattr", "setattr", "delattr", "__import__", "globals", "locals", "vars", "input", "exec",
};

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view value) {
  for (std::string_view item : list) {
    if (item == value) return true;
  }
  return false;
}

bool in_dangerous_module(std::string_view module) {
  for (std::string_view prefix : kDangerousModules) {
    if (module == prefix || (module.size() > prefix.size() && module.starts_with(prefix) && module[prefix.size()] == '.')) {
      return true;
    }
  }
  return false;
}

}  // namespace

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Safe: return "safe";
    case Verdict::Unknown: return "unknown";
    case Verdict::Dangerous: return "dangerous";
  }
  return "unknown";
}

Verdict GlobalPolicy::classify(std::string_view module, std::string_view name, PickleContext context) const {
  std::string qualified = std::string(module) + "." + std::string(name);
  // Danger first: --allow cannot make eval safe by accident of a broad name.
  // A dotted name ("Bdb.run") is looked up by its module and its first part.
  std::string_view head = name.substr(0, name.find('.'));
  std::string head_qualified = std::string(module) + "." + std::string(head);
  if (in_dangerous_module(module) || contains(kDangerousGlobals, qualified) ||
      contains(kDangerousGlobals, head_qualified) ||
      (module == "__builtin__" && contains(kDangerousPython2Builtins, head))) {
    return allowed.contains(qualified) ? Verdict::Safe : Verdict::Dangerous;
  }
  if (allowed.contains(qualified)) return Verdict::Safe;
  if (contains(kSafeGlobals, qualified)) return Verdict::Safe;
  if (module == "torch" && (contains(kSafeTorchNames, name))) return Verdict::Safe;
  if (module.starts_with("numpy.dtypes") || (module == "numpy" && name == "dtype")) return Verdict::Safe;
  if (context == PickleContext::TorchScriptArchive &&
      (module == "__torch__" || module.starts_with("__torch__.") || module == "torch.jit._pickle")) {
    return Verdict::Safe;
  }
  return Verdict::Unknown;
}

}  // namespace mtool
