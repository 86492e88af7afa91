#include "explain/failure_details.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <optional>
#include <set>

#include "explain/explainer.h"
#include "explain/plausible_shapes.h"
#include "inspect/diagnoses.h"
#include "inspect/runtime_versions.h"
#include "inspect/shared_diagnoses.h"
#include "scan/global_policy.h"

namespace mtool::details {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Case-insensitive find.
size_t find(std::string_view text, std::string_view key, size_t from = 0) {
  if (key.empty() || key.size() > text.size()) return std::string_view::npos;
  for (size_t i = from; i + key.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < key.size() && lower(text[i + j]) == lower(key[j])) ++j;
    if (j == key.size()) return i;
  }
  return std::string_view::npos;
}

// The text after `key`, or nothing when the key is absent.
std::optional<std::string_view> after(std::string_view text, std::string_view key) {
  size_t at = find(text, key);
  if (at == std::string_view::npos) return std::nullopt;
  return text.substr(at + key.size());
}

std::string_view skip_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// A decimal number at the front (at most 18 digits, so it fits).
std::optional<uint64_t> leading_number(std::string_view text) {
  text = skip_spaces(text);
  uint64_t value = 0;
  size_t count = 0;
  while (count < text.size() && count < 18 && is_digit(text[count])) value = value * 10 + (text[count++] - '0');
  if (count == 0) return std::nullopt;
  return value;
}

std::optional<uint64_t> number_after(std::string_view text, std::string_view key) {
  auto rest = after(text, key);
  return rest ? leading_number(*rest) : std::nullopt;
}

// "[64, 3, 7, 7]" (or "64 3 7 7", as PyTorch 1.4 printed it) at the front.
std::vector<uint64_t> leading_dims(std::string_view text) {
  text = skip_spaces(text);
  bool bracket = !text.empty() && text.front() == '[';
  if (bracket) text.remove_prefix(1);
  std::vector<uint64_t> dims;
  while (dims.size() < 8) {
    text = skip_spaces(text);
    auto value = leading_number(text);
    if (!value) break;
    dims.push_back(*value);
    while (!text.empty() && is_digit(text.front())) text.remove_prefix(1);
    text = skip_spaces(text);
    if (!text.empty() && text.front() == ',') text.remove_prefix(1);
    else if (bracket) break;
  }
  return dims;
}

// A name: letters, digits and _ . : - up to the first other character.
std::string name_at(std::string_view text) {
  text = skip_spaces(text);
  size_t n = 0;
  while (n < text.size() && n < 200 &&
         (std::isalnum(static_cast<unsigned char>(text[n])) || std::string_view("_.:-").find(text[n]) != std::string_view::npos)) {
    ++n;
  }
  std::string name(text.substr(0, n));
  while (!name.empty() && (name.back() == '.' || name.back() == ':' || name.back() == '-')) name.pop_back();
  return name;
}

// The text between the quotes that open right after `key` ('x' or "x").
std::optional<std::string> quoted_after(std::string_view text, std::string_view key) {
  auto rest = after(text, key);
  if (!rest) return std::nullopt;
  std::string_view body = skip_spaces(*rest);
  if (body.empty() || (body.front() != '\'' && body.front() != '"')) return std::nullopt;
  size_t close = body.find(body.front(), 1);
  if (close == std::string_view::npos || close > 200) return std::nullopt;
  return std::string(body.substr(1, close - 1));
}

// Whether any line of the log names one of `words` (the loader that failed, say).
bool log_mentions(const std::vector<LogLine>& lines, std::initializer_list<std::string_view> words) {
  for (const LogLine& line : lines) {
    for (std::string_view word : words) {
      if (find(line.text, word) != std::string_view::npos) return true;
    }
  }
  return false;
}

std::string dims_text(const std::vector<uint64_t>& dims) { return fmt::format("[{}]", fmt::join(dims, ", ")); }

void set_value(Finding& finding, std::string key, std::string value) { finding.values.emplace_back(std::move(key), std::move(value)); }

// The matched line and a few after it: messages that continue below (the
// global a weights-only load refused, the ops ExecuTorch lists one per line).
std::string following_text(const MatchContext& match, size_t count) {
  std::string text;
  for (size_t i = match.index; i < match.lines.size() && i < match.index + count; ++i) text += match.lines[i].text + "\n";
  return text;
}

}  // namespace

Refined bytecode_version(const MatchContext& match, Finding& finding) {
  auto low = number_after(match.text, "between");
  auto high = number_after(match.text, " and ");
  auto model = number_after(match.text, "model version is");
  if (!low || !high || !model) return Refined::Keep;
  set_value(finding, "model_bytecode", std::to_string(*model));
  set_value(finding, "runtime_min", std::to_string(*low));
  set_value(finding, "runtime_max", std::to_string(*high));
  finding.facts.push_back(fmt::format("The model is bytecode version {}; the app's LibTorch-Lite reads {} to {}.",
                                      *model, *low, *high));
  if (*model < *low) {
    finding.code = shared::kBytecodeTooOld.code;
    return Refined::Redirect;
  }
  if (*model > *high) {
    finding.fix = *high >= shared::kOldestBackportTarget
                      ? fmt::format(shared::kBytecodeTooNew.fix, *high, "model.ptl", "'model.ptl'") +
                            " Or upgrade the app's LibTorch-Lite to one that reads version " + std::to_string(*model) + "."
                      : fmt::format(shared::kNoBackportReaches, *high);
  }
  return Refined::Keep;
}

Refined tensor_not_scalar(const MatchContext& match, Finding& finding) {
  auto elements = number_after(match.text, "tensor with");
  if (!elements) return Refined::Keep;
  set_value(finding, "elements", std::to_string(*elements));
  std::vector<PlausibleShape> shapes = plausible_shapes(*elements);
  if (shapes.empty()) {
    finding.facts.push_back(fmt::format("The tensor has {} elements ({}); no common image, class or feature-map "
                                        "shape gives that count.", *elements, prime_factors(*elements)));
    return Refined::Keep;
  }
  std::vector<std::string> readings;
  for (size_t i = 0; i < shapes.size() && i < 4; ++i) readings.push_back(fmt::format("{}: {}", shapes[i].text(), shapes[i].meaning));
  finding.facts.push_back(fmt::format("{} elements is probably {}.", *elements, fmt::join(readings, "; or ")));
  set_value(finding, "shape", shapes.front().text());
  return Refined::Keep;
}

Refined input_rank(const MatchContext& match, Finding& finding) {
  std::string_view text = match.text;
  auto weight_rank = number_after(text, "input for");
  auto weight = after(text, "-dimensional weight");
  auto input_rank = number_after(text, "but got");
  auto input = after(text, "input of size");
  if (!weight_rank || !input_rank || !weight || !input) {
    // "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 1, 3, 224, 224]"
    auto size = after(text, "input of size:");
    if (size) {
      std::vector<uint64_t> dims = leading_dims(*size);
      if (!dims.empty()) finding.facts.push_back(fmt::format("The input was {} ({} dimensions).", dims_text(dims), dims.size()));
    }
    return Refined::Keep;
  }
  std::vector<uint64_t> weight_dims = leading_dims(*weight);
  std::vector<uint64_t> input_dims = leading_dims(*input);
  finding.facts.push_back(fmt::format("The layer's weight is {} ({}-D), so it takes {}-D input; it got {} ({}-D).",
                                      dims_text(weight_dims), *weight_rank, *weight_rank, dims_text(input_dims), *input_rank));
  if (*input_rank + 1 == *weight_rank) {
    finding.fix = "Add the batch dimension: in Python x.unsqueeze(0); in C++ tensor.unsqueeze(0); on Android "
                  "Tensor.fromBlob(data, new long[]{1, C, H, W}) with the leading 1.";
    if (weight_dims.size() >= 2 && input_dims.size() + 1 == weight_dims.size()) {
      std::vector<uint64_t> batched = input_dims;
      batched.insert(batched.begin(), 1);
      finding.facts.push_back(fmt::format("The input should be {}.", dims_text(batched)));
    }
  } else if (*input_rank == *weight_rank + 1) {
    finding.fix = "Remove the extra dimension (the input was batched twice, or a video/sequence was passed to an image "
                  "layer): squeeze it, or fold it into the batch with x.flatten(0, 1).";
  }
  return Refined::Keep;
}

Refined input_channels(const MatchContext& match, Finding& finding) {
  auto weight = after(match.text, "weight of size");
  auto input = after(match.text, "expected input");
  auto expected = number_after(match.text, "to have");
  auto got = number_after(match.text, "but got");
  if (!weight || !input || !expected || !got) return Refined::Keep;
  std::vector<uint64_t> input_dims = leading_dims(*input);
  set_value(finding, "input", fmt::format("{}", fmt::join(input_dims, ",")));
  set_value(finding, "expected_channels", std::to_string(*expected));
  set_value(finding, "got_channels", std::to_string(*got));
  finding.facts.push_back(fmt::format("The first layer wants {} channels; the input {} has {} in dimension 1.",
                                      *expected, dims_text(input_dims), *got));
  if (input_dims.size() == 4 && input_dims[3] == *expected) {
    finding.facts.push_back("The channels are last (NHWC, as image libraries lay pixels out): the model wants NCHW.");
    finding.fix = "Move the channels to dimension 1: x.permute(0, 3, 1, 2) (or build the tensor in NCHW order, "
                  "e.g. TensorImageUtils.bitmapToFloat32Tensor on Android).";
  } else if (*expected == 3 && (*got == 1 || *got == 4)) {
    finding.fix = *got == 1 ? "Give the model an RGB image (3 channels), not a greyscale one."
                            : "Drop the alpha channel: the model takes RGB (3 channels), not RGBA.";
  }
  return Refined::Keep;
}

Refined file_format_version(const MatchContext& match, Finding& finding) {
  auto file = number_after(match.text, "PyTorch file with version");
  auto high = number_after(match.text, "maximum supported version for reading is");
  if (!file || !high) return Refined::Keep;
  set_value(finding, "file_format", std::to_string(*file));
  set_value(finding, "runtime_max_file_format", std::to_string(*high));
  std::string needs;
  for (const RuntimeRelease& release : runtime_releases()) {
    if (release.max_file_format >= static_cast<int>(*file)) {
      needs = fmt::format(" (LibTorch {} or newer reads it)", release.version);
      break;
    }
  }
  finding.facts.push_back(fmt::format("The file is format version {}{}; this PyTorch / LibTorch reads up to {}.", *file,
                                      needs, *high));
  return Refined::Keep;
}

namespace {

// How to read each IValue kind in C++ (torch::jit::IValue) and Java (org.pytorch.IValue).
std::string reader_for(std::string_view kind) {
  if (kind == "Tensor") return ".toTensor() (Java: .toTensor())";
  if (kind == "Tuple") return ".toTuple()->elements()[i].toTensor() (Java: .toTuple()[i].toTensor())";
  if (kind == "GenericList" || kind == "List") return ".toList() (Java: .toList())";
  if (kind == "TensorList") return ".toTensorList() (Java: .toTensorList())";
  if (kind == "GenericDict" || kind == "Dict") return ".toGenericDict() (Java: .toDictStringKey())";
  if (kind == "String") return ".toStringRef() (Java: .toStr())";
  if (kind == "Int") return ".toInt() (Java: .toLong())";
  if (kind == "Double") return ".toDouble() (Java: .toDouble())";
  if (kind == "Bool") return ".toBool() (Java: .toBool())";
  return "";
}

}  // namespace

namespace {

// org.pytorch.IValue: "Expected IValue type Tuple, actual type TensorList"; the
// first releases printed type codes ("Expected IValue type 2, actual type 7":
// 2 is Tensor, 7 is Tuple in pytorch_android's IValue.java).
Refined java_output_type(const MatchContext& match, Finding& finding) {
  auto expected = after(match.text, "Expected IValue type");
  auto actual = after(match.text, "actual type");
  if (!expected || !actual) return Refined::Keep;
  auto kind = [](std::string name) -> std::string {
    if (name == "2") return "Tensor";
    if (name == "7") return "Tuple";
    return name;
  };
  std::string want = kind(name_at(*expected));
  std::string got = kind(name_at(*actual));
  if (want.empty() || got.empty()) return Refined::Keep;
  set_value(finding, "expected", want);
  set_value(finding, "got", got);
  finding.facts.push_back(fmt::format("The app read the result as a {}, but forward() returned a {}.", want, got));
  std::string reader = reader_for(got == "DictStringKey" ? "Dict" : got);
  if (!reader.empty()) finding.fix = fmt::format("Read it as the {} it is: {}; or change forward() to return a {}.", got, reader, want);
  return Refined::Keep;
}

}  // namespace

Refined output_type(const MatchContext& match, Finding& finding) {
  if (find(match.text, "Expected IValue type") != std::string_view::npos) return java_output_type(match, finding);
  // "isTuple() INTERNAL ASSERT FAILED at ...: Expected Tuple but got Tensor":
  // only IValue's isX() accessors, not every internal assert.
  size_t assert_at = find(match.text, "assert failed");
  size_t parens = assert_at == std::string_view::npos ? assert_at : match.text.rfind("() ", assert_at);
  if (parens == std::string::npos) return Refined::Reject;
  size_t start = parens;
  while (start > 0 && std::isalnum(static_cast<unsigned char>(match.text[start - 1]))) --start;
  std::string accessor = match.text.substr(start, parens - start);
  static const std::set<std::string_view> kKinds = {"Tensor", "Tuple", "TensorList", "List", "GenericDict", "Int",
                                                     "Double", "Bool", "String", "None", "Object", "IntList",
                                                     "DoubleList", "BoolList", "Device", "Future", "Capsule"};
  if (!accessor.starts_with("is") || !kKinds.contains(std::string_view(accessor).substr(2))) return Refined::Reject;
  auto expected = after(match.text, "Expected ");
  std::string want = expected ? name_at(*expected) : "";
  auto got_at = after(match.text, "but got ");
  std::string got = got_at ? name_at(*got_at) : "";
  if (want.empty() || got.empty()) return Refined::Keep;
  set_value(finding, "expected", want);
  set_value(finding, "got", got);
  finding.facts.push_back(fmt::format("The app read the result as a {} ({}()), but it is a {}.", want, accessor, got));
  std::string reader = reader_for(got);
  if (got == "None") {
    finding.fix = "The method returned None: check that forward() returns its result, and that the right method is called.";
  } else if (!reader.empty()) {
    finding.fix = fmt::format("Read it as the {} it is: {}; or change forward() to return a {}.", got, reader, want);
  }
  return Refined::Keep;
}

namespace {

// The "ns::name" operators in a list ("{torchvision::roi_align, torchvision::nms, }"
// or "[aten::add.out, quantized::linear]"), as the lite interpreter prints them.
std::vector<std::string> qualified_names(std::string_view text) {
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::vector<std::string> names;
  for (size_t at = text.find("::"); at != std::string_view::npos && names.size() < 20; at = text.find("::", at + 2)) {
    size_t begin = at;
    while (begin > 0 && name_char(text[begin - 1])) --begin;
    size_t end = at + 2;
    while (end < text.size() && (name_char(text[end]) || text[end] == '.')) ++end;
    std::string name(text.substr(begin, end - begin));
    while (!name.empty() && name.back() == '.') name.pop_back();
    if (begin < at && name.size() > at - begin + 2 && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

// The operators a message names: all of the lite interpreter's list, the one
// torch.ops could not find ("'_OpNamespace' 'llama' object has no attribute
// 'sdpa_with_kv_cache'"), or the one TorchScript names.
std::vector<std::string> missing_operators(std::string_view text) {
  if (auto listed = after(text, "ops cannot be found")) return qualified_names(*listed);
  auto name_space = quoted_after(text, "'_OpNamespace'");
  auto attribute = quoted_after(text, "object has no attribute");
  if (name_space && attribute) return {*name_space + "::" + *attribute};
  for (std::string_view key : {"unknown builtin op:", "no such operator", "similar ops to"}) {
    if (auto rest = after(text, key)) {
      std::string op = name_at(*rest);
      if (op.find("::") != std::string::npos) return {op};
      break;
    }
  }
  return {};
}

}  // namespace

Refined unknown_operator(const MatchContext& match, Finding& finding) {
  std::vector<std::string> ops = missing_operators(match.text);
  if (ops.empty()) return Refined::Keep;
  auto namespace_of = [](const std::string& op) { return op.substr(0, op.find("::")); };
  // One operator from a library (not PyTorch's own) makes it a custom-operator failure.
  auto custom = std::find_if(ops.begin(), ops.end(),
                             [&](const std::string& op) { return !is_builtin_operator_namespace(namespace_of(op)); });
  const std::string& op = custom != ops.end() ? *custom : ops.front();
  std::string name_space = namespace_of(op);
  set_value(finding, "operator", op);
  set_value(finding, "namespace", name_space);
  if (ops.size() == 1) {
    finding.facts.push_back(fmt::format("The missing operator is {} (namespace {}).", op, name_space));
  } else {
    finding.facts.push_back(fmt::format("The missing operators are {}.", fmt::join(ops, ", ")));
  }
  if (custom == ops.end()) {
    finding.code = "operator-not-in-runtime";
    return Refined::Redirect;
  }
  finding.fix = fmt::format(shared::kCustomOperators.fix, name_space);
  if (name_space == "torchvision") {
    finding.fix += " For torchvision: in Python `import torchvision` before torch.jit.load; in C++ link "
                   "TorchVision::TorchVision and include <torchvision/vision.h> so the linker keeps its registrations; "
                   "on Android add org.pytorch:torchvision_ops and load it (NativeLoader.loadLibrary(\"torchvision_ops\")) "
                   "before the model; on iOS add the LibTorchvision pod.";
  }
  return Refined::Keep;
}

Refined unknown_type(const MatchContext& match, Finding& finding) {
  auto name = quoted_after(match.text, "unknown type name");
  if (!name) return Refined::Keep;
  set_value(finding, "type", *name);
  std::string_view classes = "__torch__.torch.classes.";
  if (name->starts_with(classes)) {
    std::string rest = name->substr(classes.size());
    std::string library = rest.substr(0, rest.find('.'));
    set_value(finding, "library", library);
    finding.facts.push_back(fmt::format("{} is a TorchScript custom class registered by the '{}' library.", *name, library));
    if (library == "xnnpack") {
      finding.facts.push_back("xnnpack classes come from optimize_for_mobile(): the runtime was built without XNNPACK.");
      finding.fix = "Load the model with a LibTorch / LibTorch-Lite built with XNNPACK (the mobile builds are), or export "
                    "it without optimize_for_mobile for desktop LibTorch.";
    } else {
      finding.fix = fmt::format("Load the library that registers torch.classes.{0} before the model: in Python "
                                "torch.ops.load_library(...) or import its package; in C++ link it into the app "
                                "(with --whole-archive / -force_load so its registrations are kept).", library);
    }
  } else {
    finding.facts.push_back(fmt::format("The runtime does not know the type {}.", *name));
  }
  return Refined::Keep;
}

Refined quantized_dispatch(const MatchContext& match, Finding& finding) {
  auto op = quoted_after(match.text, "could not run");
  auto backend = quoted_after(match.text, "arguments from the");
  if (!op || !backend) return Refined::Keep;
  set_value(finding, "operator", *op);
  set_value(finding, "backend", *backend);
  finding.facts.push_back(fmt::format("{} was called on a tensor of the '{}' backend.", *op, *backend));
  if (backend->starts_with("Quantized") && !op->starts_with("quantized::")) {
    // The entry's own texts are for the other direction (quantized::op on a float tensor).
    finding.what = fmt::format("A float operator got a quantized tensor (no '{}' kernel)", *backend);
    finding.cause = "A float operator received a quantized tensor: the model is missing a DeQuantStub (or "
                    "x.dequantize()) before an operation that has no quantized kernel.";
    finding.fix = fmt::format("Dequantize before {}: put torch.ao.quantization.DeQuantStub() in front of it (or leave "
                              "that module out of quantization), then prepare/convert and export again.", *op);
  }
  return Refined::Keep;
}

Refined weights_only(const MatchContext& match, Finding& finding) {
  std::string text = following_text(match, 8);
  if (auto global = after(text, "Unsupported global: GLOBAL")) {
    std::string name = name_at(*global);
    set_value(finding, "global", name);
    size_t dot = name.rfind('.');
    Verdict verdict = dot == std::string::npos
                          ? Verdict::Unknown
                          : GlobalPolicy{}.classify(std::string_view(name).substr(0, dot),
                                                    std::string_view(name).substr(dot + 1), PickleContext::Plain);
    finding.facts.push_back(fmt::format("torch.load refused the global {} (mtool scan: {}).", name, verdict_name(verdict)));
    if (verdict == Verdict::Dangerous) {
      finding.code = "pickle-dangerous";
      return Refined::Redirect;
    }
    finding.fix = fmt::format("If you trust the file's source, allow that class: "
                              "torch.serialization.add_safe_globals([{0}]) (or `with torch.serialization.safe_globals([{0}]):`) "
                              "before torch.load; weights_only=False also works but runs whatever the pickle names. "
                              "Check it first with `mtool scan FILE`.", name);
  } else if (auto operand = number_after(text, "Unsupported operand")) {
    set_value(finding, "operand", std::to_string(*operand));
    finding.facts.push_back(fmt::format("Pickle opcode {} is not one torch.load's weights-only reader knows.", *operand));
    // The first byte of a text file read as a pickle: 'v' starts a Git LFS
    // pointer, '<' an HTML page (neither is a pickle opcode).
    if (*operand == 'v') {
      finding.facts.push_back("118 is 'v', how a Git LFS pointer starts ('version https://git-lfs...'): the file is "
                              "most likely a pointer, not the model.");
      finding.fix = shared::kGitLfsPointer.fix;
    } else if (*operand == '<') {
      finding.facts.push_back("60 is '<', how an HTML page starts: the file is most likely a web page, not the model.");
      finding.fix = shared::kDownloadErrorPage.fix;
    }
  }
  return Refined::Keep;
}

Refined unpickling_error(const MatchContext& match, Finding& finding) {
  if (find(match.text, "persistent id instruction") != std::string_view::npos) {
    finding.cause = "The pickle refers to objects kept outside it (persistent ids), which only the loader that wrote it "
                    "resolves: most often a torch.save file, or the data.pkl taken out of its zip, read with pickle.load "
                    "(or a custom Unpickler) instead of torch.load.";
    finding.fix = "Load the whole archive with torch.load (the .pt / .pth zip as saved, not a member extracted from "
                  "it); do not read torch.save files with pickle.load.";
    finding.facts.push_back("The unpickler met a persistent id and was given no persistent_load to resolve it.");
    return Refined::Keep;
  }
  auto key = quoted_after(match.text, "invalid load key,");
  if (!key) return Refined::Keep;
  set_value(finding, "load_key", *key);
  finding.facts.push_back(fmt::format("The file starts with '{}', which is not a pickle or torch.save header.", *key));
  if (*key == "\\x00" || *key == "\\x1f") {
    finding.facts.push_back("A file that starts with a zero byte or gzip header is usually damaged or compressed, "
                            "not a torch.save file.");
  }
  return Refined::Keep;
}

Refined ran_out_of_input(const MatchContext& match, Finding& finding) {
  // Python's unpickler says this for any empty stream: an empty model file when
  // torch.load read it, but also a worker process's pipe (multiprocessing on
  // Windows), so without torch.load in the log it is only a guess.
  if (!log_mentions(match.lines, {"serialization.py", "torch.load"})) finding.confidence = Confidence::Possibly;
  return Refined::Keep;
}

Refined central_directory(const MatchContext& match, Finding& finding) {
  // Mostly a cut download (torch.load reads pre-1.6 files without a zip), but
  // torch::jit::load says the same for a complete pre-1.6 torch.save file: when
  // the log shows TorchScript loading, it is only a guess.
  if (log_mentions(match.lines, {"torch.jit.load", "torch::jit::load", "import_ir_module", "jit/_serialization.py"})) {
    finding.confidence = Confidence::Possibly;
    finding.facts.push_back("torch::jit::load gives the same message for a pre-1.6 torch.save file, and for a file that is "
                            "not a model at all (`mtool explain --model FILE` tells which).");
  }
  return Refined::Keep;
}

namespace {

// Core ML specification versions and the OS releases that first read them.
const char* os_for_spec(uint64_t version) {
  switch (version) {
    case 1: return "iOS 11 / macOS 10.13";
    case 2: return "iOS 11.2 / macOS 10.13.2";
    case 3: return "iOS 12 / macOS 10.14";
    case 4: return "iOS 13 / macOS 10.15";
    case 5: return "iOS 14 / macOS 11";
    case 6: return "iOS 15 / macOS 12";
    case 7: return "iOS 16 / macOS 13";
    case 8: return "iOS 17 / macOS 14";
    case 9: return "iOS 18 / macOS 15";
    default: return nullptr;
  }
}

const char* coremltools_target(uint64_t version) {
  switch (version) {
    case 3: return "ct.target.iOS12";
    case 4: return "ct.target.iOS13";
    case 5: return "ct.target.iOS14";
    case 6: return "ct.target.iOS15";
    case 7: return "ct.target.iOS16";
    case 8: return "ct.target.iOS17";
    case 9: return "ct.target.iOS18";
    default: return nullptr;
  }
}

}  // namespace

Refined coreml_spec_version(const MatchContext& match, Finding& finding) {
  auto model = number_after(match.text, "of version");
  auto supported = number_after(match.text, "supports model version");
  if (!model || !supported) return Refined::Keep;
  set_value(finding, "model_spec", std::to_string(*model));
  set_value(finding, "supported_spec", std::to_string(*supported));
  const char* needs = os_for_spec(*model);
  finding.facts.push_back(fmt::format("The model is Core ML specification {}{}; this Xcode / OS reads up to {}{}.", *model,
                                      needs ? fmt::format(" (needs {})", needs) : "", *supported,
                                      os_for_spec(*supported) ? fmt::format(" ({})", os_for_spec(*supported)) : ""));
  if (const char* target = coremltools_target(*supported)) {
    finding.fix = fmt::format("Convert again for the older OS: ct.convert(..., minimum_deployment_target={}) (some "
                              "layers may then be unavailable), or build and run with an Xcode and OS that read "
                              "specification {}.", target, *model);
  }
  return Refined::Keep;
}

namespace {

// The text inside the parentheses that open after `key`: "(64 12 1 1 1)".
std::optional<std::string> parenthesised_after(std::string_view text, std::string_view key) {
  auto rest = after(text, key);
  if (!rest) return std::nullopt;
  std::string_view body = skip_spaces(*rest);
  size_t close = body.find(')');
  if (body.empty() || body.front() != '(' || close == std::string_view::npos || close > 100) return std::nullopt;
  return std::string(body.substr(1, close - 1));
}

// What Espresso's reshape checks say ("Invalid bottom shape (64 12 1 1 1) for
// reshape to (9216 -1 1 1 1)", "reshape mismatching size: 1 2 -> 3 4",
// the compiler's "Invalid dst shape8 x 6 x 512 x 1->1->8 x 5 x 512 x 0"), as a fact.
std::optional<std::string> reshape_mismatch(std::string_view text) {
  auto bottom = parenthesised_after(text, "invalid bottom shape");
  auto target = parenthesised_after(text, "for reshape to");
  auto has_digit = [](const std::string& shape) { return std::any_of(shape.begin(), shape.end(), is_digit); };
  if (bottom && target && has_digit(*bottom) && has_digit(*target)) {
    return fmt::format("Espresso's reshape got an input of shape ({}) and was asked for ({}): the element counts do "
                       "not fit.", *bottom, *target);
  }
  if (auto sizes = after(text, "mismatching size:")) {
    std::string shapes(skip_spaces(sizes->substr(0, std::min<size_t>(sizes->size(), 100))));
    return fmt::format("Espresso's reshape was asked for {}: the two shapes hold different numbers of elements.",
                       shapes.substr(0, shapes.find(" status")));
  }
  if (auto dst = after(text, "invalid dst shape")) {
    std::string shapes(dst->substr(0, std::min<size_t>(dst->size(), 100)));
    while (!shapes.empty() && (shapes.back() == '"' || shapes.back() == '.' || shapes.back() == ' ')) shapes.pop_back();
    return fmt::format("Core ML's compiler rejected a layer's output shape ({}): a 0-sized dimension, or an element "
                       "count the layer cannot produce from its input (a reshape must keep the total).",
                       std::string(skip_spaces(shapes)));
  }
  return std::nullopt;
}

bool is_reshape_check(std::string_view text) {
  return find(text, "for reshape to") != std::string_view::npos || find(text, "mismatching size") != std::string_view::npos ||
         find(text, "invalid dst shape") != std::string_view::npos;
}

}  // namespace

Refined coreml_nn_outputs(const MatchContext& match, Finding& finding) {
  // The line that says a reshape failed: the match itself, or Espresso's line
  // just before Core ML's summary (which says what failed).
  std::string_view reshape_line = is_reshape_check(match.text) ? std::string_view(match.text) : std::string_view();
  size_t first = match.index >= 3 ? match.index - 3 : 0;
  for (size_t i = first; i < match.index; ++i) {
    if (auto what = after(match.lines[i].text, "Espresso exception:")) {
      finding.facts.push_back(fmt::format("Espresso (Core ML's neural-network engine) said:{}", std::string(what->substr(0, 200))));
      finding.lines.push_back({match.lines[i].number, match.lines[i].text});
      if (reshape_line.empty() && is_reshape_check(match.lines[i].text)) reshape_line = match.lines[i].text;
      break;
    }
  }
  if (auto status = number_after(match.text, "outputs -")) finding.facts.push_back(fmt::format("Status -{}.", *status));
  // A flexible dimension sized INT32_MAX is its own finding (coreml-flexible-shape-unbounded).
  if (reshape_line.empty() || reshape_line.find("2147483647") != std::string_view::npos) return Refined::Keep;
  // The shapes are read from the line itself when it holds them (the next one is other output).
  std::optional<std::string> shape = reshape_mismatch(match.lines[match.index].text);
  if (!shape) shape = reshape_mismatch(reshape_line);
  if (shape) finding.facts.push_back(*shape);
  // The compiler's check names no layer: a reshape is the usual one, not the only one.
  finding.what = find(reshape_line, "invalid dst shape") != std::string_view::npos
                     ? "Core ML's compiler found a layer whose output shape is invalid (usually a reshape)"
                     : "Core ML could not reshape a tensor: the shapes hold different numbers of elements";
  finding.cause = "A reshape layer's target shape does not hold as many elements as its input: the model got an input "
                  "of another size than the one it was converted for (an image of another size, a longer sequence), "
                  "or the converter wrote a target shape that fits only the example input.";
  finding.fix = "Give the model the input shape it was converted with (mtool inspect shows it), or convert again "
                "with the shape the app uses (ct.convert(..., inputs=[ct.ImageType / ct.TensorType(shape=...)])), "
                "preferably as an ML Program (convert_to='mlprogram').";
  return Refined::Keep;
}

Refined coreml_unbounded_shape(const MatchContext& match, Finding& finding) {
  auto from = after(match.text, "mismatching size:");
  if (!from) return Refined::Keep;
  std::string_view shapes = *from;
  std::vector<uint64_t> source = leading_dims(shapes);
  auto arrow = after(shapes, "->");
  std::vector<uint64_t> target = arrow ? leading_dims(*arrow) : std::vector<uint64_t>{};
  finding.facts.push_back(fmt::format("Espresso reshaped {} to {}: 2147483647 is INT32_MAX, the size Core ML gives a "
                                      "flexible dimension that has no upper bound.", dims_text(source), dims_text(target)));
  return Refined::Keep;
}

Refined executorch_identifier(const MatchContext& match, Finding& finding) {
  auto found = quoted_after(match.text, "program identifier");
  auto expected = quoted_after(match.text, "!= expected");
  if (!found || !expected) return Refined::Keep;
  set_value(finding, "identifier", *found);
  set_value(finding, "expected", *expected);
  bool versioned = found->size() == 4 && found->starts_with("ET") && is_digit((*found)[2]) && is_digit((*found)[3]);
  if (versioned) {
    finding.facts.push_back(fmt::format("The file is an ExecuTorch program of format {}; the runtime reads {}.", *found, *expected));
  } else {
    finding.facts.push_back(fmt::format("Bytes 4-8 of the file are '{}', not an ExecuTorch identifier: the file is not a "
                                        ".pte program (a wrong, damaged or half-downloaded file, or a Git LFS pointer).",
                                        *found));
    finding.fix = "Check the file the app loads (`mtool inspect FILE`): bundle the .pte itself, exported with "
                  "to_executorch() and written with program.buffer.";
  }
  return Refined::Keep;
}

Refined executorch_backend(const MatchContext& match, Finding& finding) {
  auto rest = after(match.text, "Backend ");
  std::string backend = rest ? name_at(*rest) : "";
  if (backend.empty() || find(match.text, backend + " is not registered") == std::string_view::npos) return Refined::Reject;
  set_value(finding, "backend", backend);
  finding.facts.push_back(fmt::format("The program delegates to {}, which the app's runtime does not contain.", backend));
  static const std::pair<const char*, const char*> kLibraries[] = {
      {"XnnpackBackend", "xnnpack_backend (CMake -DEXECUTORCH_BUILD_XNNPACK=ON)"},
      {"CoreMLBackend", "coremldelegate (-DEXECUTORCH_BUILD_COREML=ON)"},
      {"MPSBackend", "mpsdelegate (-DEXECUTORCH_BUILD_MPS=ON)"},
      {"QnnBackend", "qnn_executorch_backend (-DEXECUTORCH_BUILD_QNN=ON)"},
      {"VulkanBackend", "vulkan_backend (-DEXECUTORCH_BUILD_VULKAN=ON)"}};
  for (auto [name, library] : kLibraries) {
    if (backend == name) {
      finding.fix = fmt::format("Link {} into the app with --whole-archive (-force_load on Apple) so its static "
                                "registration runs, or use a prebuilt runtime that includes it.", library);
    }
  }
  return Refined::Keep;
}

Refined executorch_operators(const MatchContext& match, Finding& finding) {
  std::set<std::string> ops;
  for (const LogLine& line : match.lines) {
    if (auto rest = after(line.text, "Missing operator:")) {
      std::string_view body = skip_spaces(*rest);
      if (!body.empty() && body.front() == '[') body.remove_prefix(std::min(body.size(), body.find(']') + 1));
      std::string op = name_at(body);
      if (!op.empty() && ops.size() < 20) ops.insert(op);
    }
    if (auto kernel = quoted_after(line.text, "kernel")) {
      if (kernel->find("::") != std::string::npos && ops.size() < 20) ops.insert(*kernel);
    }
  }
  if (ops.empty()) return Refined::Keep;
  set_value(finding, "operators", fmt::format("{}", fmt::join(ops, ",")));
  finding.facts.push_back(fmt::format("Operators the runtime lacks: {}.", fmt::join(ops, ", ")));
  bool custom = std::any_of(ops.begin(), ops.end(), [](const std::string& op) { return !op.starts_with("aten::"); });
  if (custom) {
    finding.fix += " Operators outside aten:: come from their own kernel library (e.g. the LLM custom ops): link it too.";
  }
  return Refined::Keep;
}

}  // namespace mtool::details
