#include "run/output_interpretation.h"

#include <cmath>
#include <sstream>
#include <torch/torch.h>

#include "io/error.h"
#include "score/labels.h"

namespace mtool {

namespace {

using Json = nlohmann::json;

// A probability vector already: no negative entries and a sum of one.
bool is_distribution(const torch::Tensor& values) {
  if (values.numel() < 2) return false;
  double sum = values.sum().item<double>();
  return values.min().item<double>() >= 0 && std::abs(sum - 1.0) < 1e-3;
}

std::string dtype_name(const torch::Tensor& tensor) {
  std::ostringstream out;
  out << tensor.dtype();
  return out.str();
}

// The image's own slice of a batched tensor: row `index` when the first
// dimension is the batch, the whole tensor otherwise.
torch::Tensor own_slice(const torch::Tensor& tensor, int64_t index, int64_t batch) {
  if (tensor.dim() >= 1 && tensor.size(0) == batch) return tensor[index];
  return tensor;
}

Json tensor_summary(const std::string& name, const torch::Tensor& tensor) {
  Json summary = {{"name", name}, {"shape", tensor.sizes().vec()}, {"dtype", dtype_name(tensor)}};
  if (tensor.is_quantized()) return tensor_summary(name, tensor.dequantize());
  if (tensor.numel() == 0 || tensor.is_complex() || tensor.scalar_type() == torch::kBool) return summary;
  torch::Tensor values = tensor.to(torch::kFloat64);
  summary["min"] = values.min().item<double>();
  summary["max"] = values.max().item<double>();
  summary["mean"] = values.mean().item<double>();
  summary["std"] = values.numel() > 1 ? values.std().item<double>() : 0.0;
  return summary;
}

void collect(const c10::IValue& value, const std::string& name, int64_t index, int64_t batch, Json& out) {
  if (value.isTensor()) {
    out.push_back(tensor_summary(name, own_slice(value.toTensor(), index, batch)));
  } else if (value.isTuple()) {
    const auto& elements = value.toTupleRef().elements();
    for (size_t i = 0; i < elements.size(); ++i) collect(elements[i], name + "[" + std::to_string(i) + "]", index, batch, out);
  } else if (value.isList()) {
    auto list = value.toListRef();
    for (size_t i = 0; i < list.size(); ++i) collect(list[i], name + "[" + std::to_string(i) + "]", index, batch, out);
  } else if (value.isGenericDict()) {
    for (const auto& entry : value.toGenericDict()) {
      std::string key = entry.key().isString() ? entry.key().toStringRef() : entry.key().tagKind();
      collect(entry.value(), name + "[" + key + "]", index, batch, out);
    }
  } else if (value.isDouble() || value.isInt() || value.isBool()) {
    out.push_back({{"name", name}, {"value", value.isDouble() ? value.toDouble() : static_cast<double>(value.isInt() ? value.toInt() : value.toBool())}});
  } else {
    out.push_back({{"name", name}, {"type", value.tagKind()}});
  }
}

Json tensors_kind(const c10::IValue& output, int64_t index, int64_t batch) {
  Json tensors = Json::array();
  collect(output, "output", index, batch, tensors);
  return {{"kind", "tensors"}, {"tensors", tensors}};
}

Json classes_kind(const torch::Tensor& row, const OutputHints& hints) {
  LabelSource labels = labels_for_classes({hints.labels, hints.labels_source}, static_cast<size_t>(row.numel()));
  bool already = is_distribution(row);
  torch::Tensor probabilities = already ? row : torch::softmax(row, 0);
  int64_t k = std::min<int64_t>(hints.top_k, row.numel());
  auto [values, indices] = probabilities.topk(k);
  Json top = Json::array();
  for (int64_t i = 0; i < k; ++i) {
    int64_t index = indices[i].item<int64_t>();
    Json entry = {{"index", index}, {"probability", values[i].item<double>()}, {"label", nullptr}};
    if (static_cast<size_t>(index) < labels.names.size()) entry["label"] = labels.names[index];
    top.push_back(entry);
  }
  return {{"kind", "classes"},
          {"classes", row.numel()},
          {"softmax_applied", !already},
          {"labels", labels.names.empty() ? Json(nullptr) : Json(labels.source)},
          {"top", top}};
}

// NIMA's ten buckets are the scores 1 to 10.
Json distribution_kind(const torch::Tensor& row) {
  torch::Tensor buckets = torch::arange(1, row.numel() + 1, torch::kFloat64);
  torch::Tensor p = row.to(torch::kFloat64);
  double mean = (p * buckets).sum().item<double>();
  double variance = (p * (buckets - mean).pow(2)).sum().item<double>();
  return {{"kind", "distribution"}, {"mean", mean}, {"std", std::sqrt(variance)},
          {"probabilities", std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel())}};
}

// "slight blur": the defect the model names, graded by how far the score fell.
std::string quality_verdict(double score, const std::string& defect) {
  if (defect == "none") return "no visible defect";
  const char* severity = score >= 70 ? "slight" : score >= 45 ? "moderate" : "strong";
  return std::string(severity) + " " + defect;
}

Json quality_kind(const torch::Tensor& score, const torch::Tensor& defect_logits, const OutputHints& hints) {
  torch::Tensor probabilities = torch::softmax(defect_logits.to(torch::kFloat64), 0);
  Json defects = Json::object();
  int64_t best = probabilities.argmax().item<int64_t>();
  for (int64_t i = 0; i < probabilities.numel(); ++i) {
    std::string name = static_cast<size_t>(i) < hints.defects.size() ? hints.defects[i] : std::to_string(i);
    defects[name] = probabilities[i].item<double>();
  }
  std::string defect = static_cast<size_t>(best) < hints.defects.size() ? hints.defects[best] : std::to_string(best);
  double value = score.item<double>();
  return {{"kind", "quality"}, {"score", value}, {"defect", defect}, {"verdict", quality_verdict(value, defect)},
          {"defects", defects}};
}

std::optional<Json> quality_output(const c10::IValue& output, int64_t index, int64_t batch, const OutputHints& hints) {
  if (hints.kind != "quality" || !output.isTuple()) return std::nullopt;
  const auto& elements = output.toTupleRef().elements();
  if (elements.size() != 2 || !elements[0].isTensor() || !elements[1].isTensor()) return std::nullopt;
  torch::Tensor score = elements[0].toTensor().reshape({-1});
  torch::Tensor defects = elements[1].toTensor();
  if (score.numel() != batch || defects.dim() != 2 || defects.size(0) != batch) return std::nullopt;
  return quality_kind(score[index], defects[index], hints);
}

}  // namespace

Json interpret_output(const c10::IValue& output, int64_t index, int64_t batch, const OutputHints& hints) {
  try {
    if (std::optional<Json> quality = quality_output(output, index, batch, hints)) return *quality;
    if (!output.isTensor()) return tensors_kind(output, index, batch);
    torch::Tensor tensor = output.toTensor();
    if (tensor.is_quantized()) tensor = tensor.dequantize();
    bool numeric = tensor.is_floating_point() && tensor.numel() > 0;
    if (numeric && tensor.dim() == 1 && tensor.size(0) == batch) return {{"kind", "score"}, {"score", tensor[index].item<double>()}};
    if (numeric && tensor.dim() == 2 && tensor.size(0) == batch) {
      torch::Tensor row = tensor[index].to(torch::kFloat32);
      if (row.numel() == 1) return {{"kind", "score"}, {"score", row[0].item<double>()}};
      if (row.numel() == 10 && is_distribution(row)) return distribution_kind(row);
      return classes_kind(row, hints);
    }
    return tensors_kind(output, index, batch);
  } catch (const Error&) {
    throw;  // the user's mistake (--labels that do not fit): stops the run with its own line
  } catch (const std::exception& error) {
    return {{"kind", "unreadable"}, {"error", std::string(error.what()).substr(0, 200)}};
  }
}

}  // namespace mtool
