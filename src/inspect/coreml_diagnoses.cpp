// Diagnoses for Core ML models: each cause is read from the file (its inputs,
// layers, weights, metadata and package layout); nothing depends on a device.
#include <algorithm>
#include <charconv>
#include <fmt/format.h>

#include "inspect/coreml_weights.h"
#include "inspect/diagnoses.h"

namespace mtool {

namespace {

constexpr uint64_t kCompressibleBytes = 1ull << 20;
constexpr const char* kSourceKey = "com.github.apple.coremltools.source";
constexpr const char* kVersionKey = "com.github.apple.coremltools.version";

void add(ModelReport& report, std::string code, Severity severity, std::string message, std::string fix) {
  report.diagnoses.push_back({std::move(code), severity, std::move(message), std::move(fix)});
}

std::string human_size(uint64_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1ull << 30));
  if (bytes >= (1ull << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1ull << 20));
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  return fmt::format("{} B", bytes);
}

bool is_neural_network(const CoreMlModel& model) { return model.kind.starts_with("neuralNetwork"); }

// Every model of a pipeline, the top one first.
template <typename Visit>
void for_each_model(const CoreMlModel& model, Visit visit) {
  visit(model);
  for (const CoreMlModel& sub : model.sub_models) for_each_model(sub, visit);
}

// A MultiArray shaped like a picture: [1,] C, H, W with 1 or 3 channels, at
// least 16 pixels a side and no more than 4:1 (token or patch arrays such as
// [1, 193, 3072] are not pictures).
bool image_like(const CoreMlFeature& feature) {
  if (feature.type != "MultiArray") return false;
  std::vector<int64_t> s = feature.shape;
  if (s.size() == 4 && s[0] == 1) s.erase(s.begin());
  if (s.size() != 3 || (s[0] != 1 && s[0] != 3)) return false;
  int64_t shorter = std::min(s[1], s[2]), longer = std::max(s[1], s[2]);
  return shorter >= 16 && longer <= 4 * shorter;
}

void diagnose_vision(const CoreMlModel& model, ModelReport& report) {
  bool has_image = std::any_of(model.inputs.begin(), model.inputs.end(),
                               [](const CoreMlFeature& input) { return input.type == "Image"; });
  auto found = std::find_if(model.inputs.begin(), model.inputs.end(), image_like);
  if (has_image || found == model.inputs.end()) return;
  const CoreMlFeature& input = *found;
  std::string shape = fmt::format("{}", fmt::join(input.shape, ", "));
  add(report, "coreml-vision-needs-image-input", Severity::Warning,
      fmt::format("Its input '{}' is {}, shaped like a picture but not an Image: Vision's VNCoreMLModel refuses it "
                  "with 'The model does not have a valid input feature of type image' (com.apple.vis Code=15).",
                  input.name, input.summary()),
      fmt::format("Convert again with inputs=[ct.ImageType(name='{}', shape=({}), scale=1/255.0, bias=[0, 0, 0])] "
                  "(scale and bias to match the training normalisation), or skip Vision and call "
                  "MLModel.prediction with an MLMultiArray.",
                  input.name, shape));
}

void diagnose_rank(const CoreMlModel& model, ModelReport& report) {
  if (!is_neural_network(model) || model.max_layer_rank <= 5) return;
  add(report, "coreml-nn-rank-above-5", Severity::Error,
      fmt::format("Layer '{}' of this neural network (NNv1) uses a rank-{} tensor; the Core ML framework runs neural "
                  "networks only up to rank 5, so prediction fails with 'Error computing NN outputs -5' or a "
                  "'reshape mismatching size' error.",
                  model.max_rank_layer, model.max_layer_rank),
      "Convert with convert_to=\"mlprogram\" (iOS 15+), which either runs it or gives a clear compiler error; "
      "or rewrite the model to keep tensors at rank 5 or below.");
}

void diagnose_could_be_program(const CoreMlReport& coreml, ModelReport& report) {
  bool network = false;
  for_each_model(coreml.model, [&](const CoreMlModel& model) { network = network || is_neural_network(model); });
  if (!network) return;
  add(report, "coreml-could-be-mlprogram", Severity::Info,
      "This is a neural network (NNv1) model. An ML program (specification 6+, iOS 15 / macOS 12) is typed (fp16 "
      "on GPU and Neural Engine), keeps its weights in weight.bin instead of the protobuf, has no rank-5 limit, "
      "and is the only format that gets new operations and coremltools' compression.",
      "If the app can require iOS 15, convert again with ct.convert(..., convert_to=\"mlprogram\", "
      "minimum_deployment_target=ct.target.iOS15).");
}

void diagnose_compressible(const CoreMlReport& coreml, ModelReport& report) {
  auto fp32 = coreml.weights.find("fp32");
  if (fp32 == coreml.weights.end() || fp32->second.bytes < kCompressibleBytes) return;
  uint64_t bytes = fp32->second.bytes;
  bool program = coreml.model.kind == "mlProgram";
  add(report, "coreml-weights-compressible", Severity::Info,
      fmt::format("It holds {} of fp32 weights ({} tensors): fp16 would make them {}, 8-bit palettization or "
                  "linear quantization {}, 4-bit palettization {}. Heuristic: large fp32 weights make the first "
                  "load (compiling for the Neural Engine) slower and use more memory.",
                  human_size(bytes), fp32->second.tensors, human_size(bytes / 2), human_size(bytes / 4),
                  human_size(bytes / 8)),
      program ? "Convert with compute_precision=ct.precision.FLOAT16 (the default for ML programs), or compress: "
                "ct.optimize.coreml.palettize_weights / linear_quantize_weights, then check accuracy."
              : "Quantize: ct.models.neural_network.quantization_utils.quantize_weights(model, nbits=16) (or 8), "
                "or convert to an ML program and use ct.optimize.coreml.");
}

// major.minor as a comparable number: "2.1.0.dev20230422" -> 201.
std::optional<int> minor_version(std::string_view text) {
  int major = 0, minor = 0;
  auto [dot, error] = std::from_chars(text.data(), text.data() + text.size(), major);
  if (error != std::errc() || dot == text.data() + text.size() || *dot != '.') return std::nullopt;
  auto [end, error2] = std::from_chars(dot + 1, text.data() + text.size(), minor);
  if (error2 != std::errc()) return std::nullopt;
  return major * 100 + minor;
}

// The newest torch each coremltools release says it was tested with, only
// where a source says so: the 6.3 release notes ("Torch 2.0 Support"), and
// coremltools 9.0's _TORCH_MAX_VERSION = "2.7.0" (coremltools/_deps).
struct TestedTorch {
  const char* coremltools;
  const char* torch;
};
constexpr TestedTorch kTestedTorch[] = {{"6.3", "2.0"}, {"9.0", "2.7"}};

void diagnose_torch_version(const CoreMlModel& model, ModelReport& report) {
  auto source = model.user_defined.find(kSourceKey);
  auto version = model.user_defined.find(kVersionKey);
  if (source == model.user_defined.end() || version == model.user_defined.end()) return;
  if (!source->second.starts_with("torch==")) return;
  std::string torch = source->second.substr(7);
  std::optional<int> torch_minor = minor_version(torch);
  std::optional<int> tools_minor = minor_version(version->second);
  if (!torch_minor || !tools_minor) return;
  for (const TestedTorch& row : kTestedTorch) {
    if (minor_version(row.coremltools) != tools_minor || *torch_minor <= *minor_version(row.torch)) continue;
    add(report, "coreml-untested-torch-version", Severity::Warning,
        fmt::format("It was converted by coremltools {} from torch {}; coremltools {} was tested with torch up to "
                    "{} and warns 'Torch version {} has not been tested with coremltools', so conversion bugs "
                    "are likelier.",
                    version->second, torch, row.coremltools, row.torch, torch),
        fmt::format("If outputs differ from PyTorch, convert again with torch {} (or a coremltools release whose "
                    "release notes list torch {}).",
                    row.torch, torch.substr(0, torch.find('.', torch.find('.') + 1))));
  }
}

void diagnose_flexible(const CoreMlModel& model, ModelReport& report) {
  for (const CoreMlFeature& input : model.inputs) {
    if (!input.unbounded()) continue;
    add(report, "coreml-flexible-shape-unbounded", Severity::Warning,
        fmt::format("Input '{}' has a flexible shape without an upper bound ({}): Core ML cannot plan its memory "
                    "ahead and, heuristically, such models fall back from the Neural Engine to the GPU or CPU.",
                    input.name, input.summary()),
        "Give each ct.RangeDim an upper_bound, or list the sizes the app uses with ct.EnumeratedShapes.");
  }
}

void diagnose_package(const CoreMlReport& coreml, ModelReport& report) {
  if (coreml.root_missing) {
    add(report, "coreml-manifest-root-missing", Severity::Error,
        coreml.root_model_path
            ? fmt::format("Manifest.json names {} as the root model, but it is not in the package: Xcode and "
                          "MLModel(contentsOf:) cannot open it.", *coreml.root_model_path)
            : "Manifest.json names no root model (rootModelIdentifier missing or pointing at no item): Xcode and "
              "MLModel(contentsOf:) cannot open the package.",
        "Copy the whole .mlpackage folder again (a partial copy or a bad merge drops files), or save it again "
        "with coremltools (model.save('Model.mlpackage')).");
  }
  if (!coreml.weight_file) return;
  const CoreMlWeightFile& weights = *coreml.weight_file;
  if (!weights.present || !weights.problems.empty()) {
    add(report, "coreml-weights-missing", Severity::Error,
        weights.present ? fmt::format("Its weights do not match the program: {}.", fmt::join(weights.problems, "; "))
                        : fmt::format("The program reads its weights from {}, which is not in the package.",
                                      weights.path),
        "Copy the whole .mlpackage again (Git LFS or a size limit may have cut weight.bin), or save the model "
        "again with coremltools.");
  }
}

void diagnose_os(const CoreMlReport& coreml, const InspectOptions& options, ModelReport& report) {
  if (!options.apple_os) {
    // Past the newest specification the table knows (9: iOS 18): every OS mtool knows refuses it.
    if (coreml.minimum_os.empty() && coreml.required_specification > max_specification_for({"iOS", "18"})) {
      add(report, "coreml-too-new-for-os", Severity::Warning,
          fmt::format("Its specification version {} is newer than iOS 18 / macOS 15 run (9); on older systems Xcode "
                      "says the model 'is intended for a newer version of Xcode' and MLModel fails to load it.",
                      coreml.required_specification),
          "Convert with an older minimum_deployment_target (ct.target.iOS18 or lower) for the OS releases the app "
          "supports.");
    }
    return;
  }
  const AppleOsTarget& target = *options.apple_os;
  int64_t runs_up_to = max_specification_for(target);
  std::string needs = coreml.minimum_os.contains(target.os)
                          ? fmt::format("{} {}", target.os, coreml.minimum_os.at(target.os))
                          : fmt::format("specification {}", coreml.required_specification);
  if (coreml.required_specification > runs_up_to) {
    add(report, "coreml-too-new-for-os", Severity::Error,
        fmt::format("It needs {} ({}), so it does not load on {} {}, which runs specification {} at most; Xcode says "
                    "such a model 'is intended for a newer version of Xcode' or of the OS.",
                    needs, coreml.minimum_os_reason, target.os, target.version, runs_up_to),
        fmt::format("Raise the app's deployment target to {}, or convert again with "
                    "minimum_deployment_target=ct.target.{}{} (an ML program needs iOS 15 at least; older targets "
                    "need convert_to=\"neuralnetwork\").",
                    needs, target.os, target.version));
  } else {
    add(report, "coreml-loads-on-os", Severity::Info,
        fmt::format("It loads on {} {}: it needs {} ({}).", target.os, target.version, needs, coreml.minimum_os_reason),
        "Nothing to do.");
  }
}

}  // namespace

void add_coreml_diagnoses(ModelReport& report, const InspectOptions& options) {
  if (!report.coreml) return;
  const CoreMlReport& coreml = *report.coreml;
  diagnose_package(coreml, report);
  if (coreml.root_missing) return;
  diagnose_os(coreml, options, report);
  for_each_model(coreml.model, [&](const CoreMlModel& model) {
    diagnose_rank(model, report);
    diagnose_flexible(model, report);
  });
  diagnose_vision(coreml.model, report);
  diagnose_torch_version(coreml.model, report);
  diagnose_compressible(coreml, report);
  diagnose_could_be_program(coreml, report);
}

}  // namespace mtool
