#include "planning/score_plan.h"

#include <filesystem>
#include <fmt/format.h>

#include "io/error.h"
#include "planning/bench_plan.h"

namespace mtool {

namespace {

// score feeds exactly one tensor: the photo batch.
void check_forward(const ModelReport& report, const Recipe& recipe) {
  if (!report.forward) return;  // lite models without a schema: LibTorch will say
  std::string signature = "forward" + render_signature(report.forward->signature);
  std::vector<int64_t> shape = recipe_input_shape(recipe);
  std::string fed = shape.empty() ? "one image tensor" : fmt::format("one image tensor [{}]", fmt::join(shape, ", "));
  std::optional<std::vector<std::string>> arguments = required_tensor_arguments(report.forward->signature);
  if (!arguments) {
    throw Error(ErrorKind::Format, fmt::format("{}: {} takes inputs other than tensors; mtool score feeds {}",
                                              report.path, signature, fed));
  }
  if (arguments->size() != 1) {
    throw Error(ErrorKind::Format, fmt::format("{}: {} takes {} tensor inputs ({}); mtool score feeds {}", report.path,
                                              signature, arguments->size(), fmt::join(*arguments, ", "), fed));
  }
}

}  // namespace

ScorePlan plan_score(const ModelReport& report, const nlohmann::json& recipe_flags, const std::string& labels_file) {
  ScorePlan plan;
  plan.model = report.path;
  plan.loader = loader_for(report, "run");
  plan.recipe = resolve_recipe(report, recipe_flags);
  check_forward(report, plan.recipe.recipe);
  plan.labels = stored_labels(report, plan.recipe, labels_file);
  const nlohmann::json& stored = plan.recipe.stored;
  if (stored.contains("output") && stored["output"].is_object()) plan.output_hint = stored["output"];
  plan.model_name = stored.contains("name") && stored["name"].is_string() ? stored["name"].get<std::string>()
                                                                           : std::filesystem::path(report.path).filename().string();
  plan.model_version = stored.contains("version") ? stored["version"] : nlohmann::json(nullptr);
  plan.quantized = report.has_diagnosis("quantized-model");
  return plan;
}

nlohmann::json score_request(const ScorePlan& plan, const std::vector<std::string>& images, int top_k, int batch,
                             int threads) {
  return {{"model", plan.model},
          {"loader", plan.loader},
          {"recipe", recipe_to_json(plan.recipe.recipe)},
          {"images", images},
          {"labels", plan.labels.names},
          {"labels_source", plan.labels.source},
          {"top_k", top_k},
          {"batch", batch},
          {"threads", threads},
          {"output", plan.output_hint}};
}

}  // namespace mtool
