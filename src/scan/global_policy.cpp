#include "scan/global_policy.h"

#include <vector>

#include "pickle/python2_names.h"
#include "scan/dangerous_globals.h"
#include "torch_pickle/torch_pickle.h"

namespace mtool {

namespace {

// What torch.load(weights_only=True) accepts in PyTorch 1.13
// (torch/_weights_only_unpickler.py _get_allowed_globals: OrderedDict,
// Parameter, _get_layout, Size, Tensor, the dtypes, tensor and storage classes,
// six _rebuild_* functions), exact names only.
constexpr std::string_view kSafeTorchGlobals[] = {
    "collections.OrderedDict", "torch.nn.parameter.Parameter", "torch.serialization._get_layout", "torch.Size",
    "torch.Tensor", "torch._utils._rebuild_parameter", "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_sparse_csr_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
};

// Accepted beyond 1.13's weights_only, because each only builds a value from
// its arguments and runs no code it is given: the tensor rebuilds and value
// types newer torch.save files use (devices, quantized, nested and subclassed
// tensors, memory formats, layouts), and the builtins a protocol-2 pickle
// needs for sets, bytes, complex numbers, slices and ranges.
constexpr std::string_view kSafeValueBuilders[] = {
    "torch._utils._rebuild_parameter_with_state", "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_tensor_v3", "torch._tensor._rebuild_from_type_v2",
    "torch.device", "torch.storage.UntypedStorage", "torch.UntypedStorage", "torch.storage.TypedStorage",
    "torch.contiguous_format", "torch.channels_last", "torch.preserve_format", "torch.strided", "torch.sparse_coo",
    "torch.sparse_csr",
    "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.complex", "builtins.slice",
    "builtins.range", "_codecs.encode",
    // Protocol 0 and 1 rebuild objects with copyreg._reconstructor(cls, base,
    // state): object.__new__(cls), or base.__new__ / base.__init__, where cls
    // and base are globals of the same pickle and classified themselves.
    "copyreg._reconstructor", "builtins.object",
};

// NumPy arrays and scalars (ndarray.__reduce__, __reduce_ex__(5) and dtype
// pickles call only these). torch.load(weights_only=True) in 1.13 refuses them;
// they are accepted because rebuilding an array from bytes runs no code, and a
// dtype's state is checked by NumPy itself. An object array is different: its
// elements are pickled too, and every global they name is classified.
constexpr std::string_view kSafeNumpyGlobals[] = {
    "numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar", "numpy._core.multiarray._reconstruct",
    "numpy._core.multiarray.scalar", "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    "numpy.ndarray", "numpy.dtype",
    // NumPy 1.25+ pickles a dtype by its DType class.
    "numpy.dtypes.BoolDType", "numpy.dtypes.Int8DType", "numpy.dtypes.UInt8DType", "numpy.dtypes.Int16DType",
    "numpy.dtypes.UInt16DType", "numpy.dtypes.Int32DType", "numpy.dtypes.UInt32DType", "numpy.dtypes.Int64DType",
    "numpy.dtypes.UInt64DType", "numpy.dtypes.LongLongDType", "numpy.dtypes.ULongLongDType",
    "numpy.dtypes.Float16DType", "numpy.dtypes.Float32DType", "numpy.dtypes.Float64DType",
    "numpy.dtypes.LongDoubleDType", "numpy.dtypes.Complex64DType", "numpy.dtypes.Complex128DType",
    "numpy.dtypes.CLongDoubleDType", "numpy.dtypes.BytesDType", "numpy.dtypes.StrDType", "numpy.dtypes.VoidDType",
    "numpy.dtypes.DateTime64DType", "numpy.dtypes.TimeDelta64DType",
};

// torch.<dtype> (1.13's weights_only accepts these, and the storage classes
// of torch_pickle.h) and the quantization schemes: values, not code.
constexpr std::string_view kSafeTorchNames[] = {
    "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
    "int16", "short", "int8", "uint8", "bool", "complex64", "complex128", "cfloat", "cdouble", "qint8", "quint8",
    "qint32", "quint4x2", "quint2x4", "float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64",
    "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
    "per_channel_affine_float_qparams",
};

// The functions TorchScript's own unpickler maps to C++ (torch/jit/_pickle.py;
// torch/csrc/jit/serialization/unpickler.cpp): it never imports them.
constexpr std::string_view kTorchScriptPickleFunctions[] = {
    "build_boollist", "build_doublelist", "build_intlist", "build_tensor_from_id", "build_tensorlist",
    "restore_type_tag",
};

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view value) {
  for (std::string_view item : list) {
    if (item == value) return true;
  }
  return false;
}

std::vector<std::string_view> split_dots(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

bool is_dunder(std::string_view part) { return part.size() > 4 && part.starts_with("__") && part.ends_with("__"); }

// find_class resolves "a.b.c" by getattr from the module, one part at a time
// (protocol 4 and later; an attacker picks the protocol). Every step can land
// somewhere else: `pathlib` + `os.system` is os.system, `builtins` +
// `__dict__.get` reaches every builtin. The path is dangerous when any prefix
// is, when a part names a dangerous module (`x.os.system`), or when it walks
// through introspection (`__dict__`, `__globals__`, `__builtins__`, ...).
bool dangerous_path(std::string_view module, const std::vector<std::string_view>& parts) {
  std::string prefix(module);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (is_dunder(parts[i]) && parts.size() > 1) return true;
    if (is_dangerous_global(prefix, parts[i])) return true;
    if (i + 1 < parts.size()) {
      std::string rest(parts[i + 1].data(), parts.back().data() + parts.back().size() - parts[i + 1].data());
      if (is_dangerous_global(parts[i], parts[i + 1]) || is_dangerous_global(parts[i], rest)) return true;
    }
    prefix += ".";
    prefix += parts[i];
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

bool weights_only_accepts(std::string_view qualified) {
  // Beyond kSafeTorchGlobals, 1.13's list has the storage classes, both
  // storage wrappers and ten dtypes (not uint8, bool or bfloat16).
  constexpr std::string_view kDtypes[] = {"torch.float16",   "torch.float32",   "torch.float64", "torch.int8",
                                          "torch.int16",     "torch.int32",     "torch.int64",   "torch.complex32",
                                          "torch.complex64", "torch.complex128"};
  return contains(kSafeTorchGlobals, qualified) || is_storage_class(qualified) || contains(kDtypes, qualified) ||
         qualified == "torch.storage.TypedStorage" || qualified == "torch.storage.UntypedStorage";
}

Verdict GlobalPolicy::classify(std::string_view original_module, std::string_view original_name,
                              PickleContext context) const {
  auto [module_text, name_text] = python3_name(original_module, original_name);
  std::string_view module = module_text;
  std::string_view name = name_text;
  std::string qualified = std::string(module) + "." + std::string(name);
  // Danger first: --allow accepts a dangerous global only by its exact name.
  std::vector<std::string_view> parts = split_dots(name);
  if (dangerous_path(module, parts)) return allowed.contains(qualified) ? Verdict::Safe : Verdict::Dangerous;
  if (allowed.contains(qualified)) return Verdict::Safe;
  if (contains(kSafeTorchGlobals, qualified) || contains(kSafeValueBuilders, qualified) ||
      contains(kSafeNumpyGlobals, qualified)) {
    return Verdict::Safe;
  }
  if (module == "torch" && (contains(kSafeTorchNames, name) || is_storage_class(qualified))) return Verdict::Safe;
  if (context == PickleContext::TorchScriptArchive) {
    // TorchScript resolves its compiled classes (__torch__.*) from the
    // archive's own code/, never by importing Python.
    if (module == "__torch__" || module.starts_with("__torch__.")) return Verdict::Safe;
    if (module == "torch.jit._pickle" && contains(kTorchScriptPickleFunctions, name)) return Verdict::Safe;
  }
  return Verdict::Unknown;
}

}  // namespace mtool
