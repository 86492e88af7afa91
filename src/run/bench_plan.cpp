#include "run/bench_plan.h"

#include <charconv>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/error.h"
#include "score/recipe.h"

namespace mtool {

namespace {

// A recipe stored in the archive (extra/mtool.json, see `mtool recipe`) may
// name the input: {"input_shape": [1, 3, 224, 224]} or a list of them, or
// {"crop": 224} for one NCHW image.
std::vector<Shape> shapes_from_recipe(const ModelReport& report) {
  for (const ExtraFile& extra : report.extra_files) {
    if (extra.name != "mtool.json" || !extra.text) continue;
    nlohmann::json recipe = nlohmann::json::parse(*extra.text, nullptr, false);
    if (!recipe.is_object()) continue;
    try {
      if (recipe.contains("input_shape")) {
        const auto& value = recipe["input_shape"];
        if (!value.empty() && value[0].is_array()) return value.get<std::vector<Shape>>();
        return {value.get<Shape>()};
      }
      if (recipe.contains("crop") || recipe.contains("resize")) {
        Recipe parsed;
        apply_recipe_json(parsed, recipe, report.path + " extra/mtool.json");
        Shape shape = recipe_input_shape(parsed);
        if (!shape.empty()) return {shape};
      }
    } catch (const nlohmann::json::exception&) {
    } catch (const Error&) {
    }
  }
  return {};
}

std::string trim(std::string_view text) {
  size_t start = text.find_first_not_of(' ');
  size_t end = text.find_last_not_of(' ');
  return start == std::string_view::npos ? "" : std::string(text.substr(start, end - start + 1));
}

}  // namespace

Shape parse_shape(const std::string& text) {
  Shape shape;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find_first_of(",x", start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int64_t dim = 0;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), dim);
    if (error != std::errc() || end != part.data() + part.size() || dim <= 0 || dim > (1 << 24)) {
      throw Error(ErrorKind::Usage, fmt::format("--input-shape '{}': expected positive sizes like 1,3,224,224", text));
    }
    shape.push_back(dim);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return shape;
}

std::optional<std::vector<std::string>> required_tensor_arguments(const std::string& signature) {
  size_t open = signature.find('(');
  size_t arrow = signature.rfind(") ->");
  if (open == std::string::npos || arrow == std::string::npos) return std::nullopt;
  std::string arguments = signature.substr(open + 1, arrow - open - 1);
  std::vector<std::string> names;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= arguments.size(); ++i) {
    char c = i < arguments.size() ? arguments[i] : ',';
    if (c == '[' || c == '(') ++depth;
    if (c == ']' || c == ')') --depth;
    if (c != ',' || depth != 0) continue;
    std::string argument = trim(std::string_view(arguments).substr(start, i - start));
    start = i + 1;
    if (argument.empty() || argument.find('=') != std::string::npos) continue;  // defaults need no input
    size_t colon = argument.find(':');
    std::string type = colon == std::string::npos ? "" : trim(argument.substr(colon + 1));
    if (type != "Tensor") return std::nullopt;
    names.push_back(trim(argument.substr(0, colon)));
  }
  return names;
}

std::string loader_for(const ModelReport& report, const char* action) {
  switch (report.format) {
    case ModelFormat::TorchScript: return "jit";
    case ModelFormat::Lite:
    case ModelFormat::LiteFlatbuffer: return "mobile";
    default: break;
  }
  throw Error(ErrorKind::Format, fmt::format("{}: cannot be {}: {}", report.path, action, report.refusal()));
}

BenchPlan plan_bench(const ModelReport& report, const std::vector<Shape>& input_shapes, const std::string& image) {
  BenchPlan plan;
  plan.path = report.path;
  plan.size_bytes = report.size_bytes;
  plan.loader = loader_for(report, "benchmarked");
  std::optional<std::vector<std::string>> arguments;
  if (report.forward) arguments = required_tensor_arguments(report.forward->signature);
  if (!image.empty()) {
    if (!input_shapes.empty()) throw Error(ErrorKind::Usage, "give either --image or --input-shape, not both");
    plan.image = image;
    ResolvedRecipe resolved = resolve_recipe(report, nlohmann::json::object());
    plan.recipe = recipe_to_json(resolved.recipe);
    plan.inputs = {recipe_input_shape(resolved.recipe)};
    if (plan.inputs[0].empty()) plan.inputs = {{1, 3, 0, 0}};  // the photo decides
    plan.input_source = "--image " + image + " (recipe: " + resolved.source + ")";
  } else if (!input_shapes.empty()) {
    plan.inputs = input_shapes;
    plan.input_source = "--input-shape";
  } else {
    plan.inputs = shapes_from_recipe(report);
    plan.input_source = "extra/mtool.json";
  }
  std::string signature = report.forward ? "forward" + report.forward->signature : "forward";
  if (plan.inputs.empty()) {
    throw Error(ErrorKind::Usage,
                fmt::format("{}: {} has no stored input shape; pass one --input-shape per tensor input "
                            "(e.g. --input-shape 1,3,224,224)", report.path, signature));
  }
  if (report.forward && !arguments) {
    throw Error(ErrorKind::Usage, fmt::format("{}: {} takes inputs other than tensors, which bench cannot make up",
                                              report.path, signature));
  }
  if (arguments && arguments->size() != plan.inputs.size()) {
    throw Error(ErrorKind::Usage, fmt::format("{}: {} takes {} tensor inputs but {} shapes were given", report.path,
                                              signature, arguments->size(), plan.inputs.size()));
  }
  return plan;
}

}  // namespace mtool
