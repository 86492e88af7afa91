#include "planning/verification_inputs.h"

#include "io/error.h"
#include "planning/bench_plan.h"

namespace mtool {

nlohmann::json verification_inputs(const ModelReport& report, const std::vector<std::string>& input_shapes,
                                   const std::vector<std::string>& input_values) {
  std::vector<Shape> shapes;
  for (const std::string& text : input_shapes) shapes.push_back(parse_shape(text));
  std::vector<std::pair<std::string, std::string>> values = parse_input_values(input_values);
  try {
    BenchPlan plan = plan_bench(report, shapes, "", values);
    return {{"inputs", plan.inputs},       {"arguments", plan.arguments}, {"description", describe_inputs(plan)},
            {"source", plan.input_source}, {"assumed", plan.assumed},     {"quantized", plan.quantized}};
  } catch (const Error& error) {
    if (!shapes.empty() || !values.empty()) throw;
    // Without inputs the output is still re-read, version-checked and
    // loaded; only the comparison run is left out, and the summary says so.
    std::string reason = error.what();
    if (reason.starts_with(report.path + ": ")) reason = reason.substr(report.path.size() + 2);
    return {{"not_compared", reason}};
  }
}

}  // namespace mtool
