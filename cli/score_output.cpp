#include "score_output.h"

#include <fmt/format.h>

#include "text_width.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

double number(const Json& object, const char* key) {
  return object.contains(key) && object[key].is_number() ? object[key].get<double>() : 0.0;
}

std::string shape_text(const Json& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ',';
    out += shape[i].dump();
  }
  return out + "]";
}

std::string classes_text(const Json& output, int top_k, const Style& style) {
  std::string out;
  int shown = 0;
  for (const Json& entry : output["top"]) {
    if (shown == top_k) break;
    std::string name = entry["label"].is_string() ? entry["label"].get<std::string>() : fmt::format("class {}", entry["index"].get<int64_t>());
    std::string item = fmt::format("{} {:.3f}", name, entry["probability"].get<double>());
    out += shown == 0 ? style.bold(item) : style.dim("  " + item);
    ++shown;
  }
  return out;
}

std::string tensors_text(const Json& output) {
  std::string out;
  for (const Json& tensor : output["tensors"]) {
    if (!out.empty()) out += "; ";
    std::string name = tensor.value("name", "output");
    if (tensor.contains("shape")) {
      out += fmt::format("{} {} {}", name, shape_text(tensor["shape"]), tensor.value("dtype", ""));
      if (tensor.contains("min")) {
        out += fmt::format(" min {:.4g} max {:.4g} mean {:.4g}", number(tensor, "min"), number(tensor, "max"), number(tensor, "mean"));
      }
    } else if (tensor.contains("value")) {
      out += fmt::format("{} = {:.6g}", name, number(tensor, "value"));
    } else {
      out += fmt::format("{} ({})", name, tensor.value("type", "?"));
    }
  }
  return out;
}

std::string output_text(const Json& output, int top_k, const Style& style) {
  std::string kind = output.value("kind", "");
  if (kind == "classes") return classes_text(output, top_k, style);
  if (kind == "score") return style.bold(fmt::format("score {:.4f}", number(output, "score")));
  if (kind == "distribution") {
    return style.bold(fmt::format("mean {:.2f}", number(output, "mean"))) +
           fmt::format(" ± {:.2f} (distribution over {} buckets)", number(output, "std"), output["probabilities"].size());
  }
  if (kind == "quality") {
    return style.bold(fmt::format("{:5.1f}", number(output, "score"))) + fmt::format("  ({})", output.value("verdict", output.value("defect", "?")));
  }
  if (kind == "tensors") return tensors_text(output);
  return "unreadable output: " + output.value("error", "");
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(const Json& object, const char* key) {
  return object.contains(key) && object[key].is_number() ? fmt::format("{:.6g}", object[key].get<double>()) : "";
}

}  // namespace

std::string score_text_line(const Json& event, const ScoreLineOptions& options) {
  // Padded by the columns the escaped path takes (CJK two each), as path_width is measured.
  std::string line = pad_right(escaped_name(event["path"].get<std::string>()), options.path_width) + "  ";
  if (!event["error"].is_null())
    return line + options.style.red("error: " + escaped_name(event["error"].get<std::string>()));
  line += output_text(event["output"], options.top_k, options.style);
  if (options.timings) {
    const Json& t = event["timings_ms"];
    line += options.style.dim(fmt::format("  [decode {:.1f} ms, preprocess {:.1f} ms, inference {:.1f} ms]",
                                          number(t, "decode"), number(t, "preprocess"), number(t, "inference")));
  }
  return line;
}

Json score_json(const Json& event, const std::string& model_name, const Json& model_version) {
  Json out = {{"schema", "mtool.score/1"}, {"path", event["path"]}, {"model", model_name}, {"model_version", model_version},
              {"error", event["error"]}};
  if (!event["error"].is_null() && !event.contains("output")) return out;
  for (const char* key : {"width", "height", "input_shape", "output", "timings_ms", "saved_input"}) {
    if (event.contains(key)) out[key] = event[key];
  }
  return out;
}

std::string score_csv_header() {
  return "path,error,kind,top_label,top_index,top_probability,score,mean,std,decode_ms,preprocess_ms,inference_ms";
}

std::string score_csv_row(const Json& event) {
  std::vector<std::string> fields(12);
  fields[0] = csv_field(event["path"].get<std::string>());
  if (!event["error"].is_null()) fields[1] = csv_field(event["error"].get<std::string>());
  if (event.contains("output")) {
    const Json& output = event["output"];
    fields[2] = output.value("kind", "");
    if (fields[2] == "classes" && !output["top"].empty()) {
      const Json& top = output["top"][0];
      fields[3] = top["label"].is_string() ? csv_field(top["label"].get<std::string>()) : "";
      fields[4] = top["index"].dump();
      fields[5] = csv_number(top, "probability");
    }
    fields[6] = csv_number(output, "score");
    fields[7] = csv_number(output, "mean");
    fields[8] = csv_number(output, "std");
    if (fields[2] == "quality") fields[3] = csv_field(output.value("verdict", ""));
  }
  if (event.contains("timings_ms")) {
    fields[9] = csv_number(event["timings_ms"], "decode");
    fields[10] = csv_number(event["timings_ms"], "preprocess");
    fields[11] = csv_number(event["timings_ms"], "inference");
  }
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) row += ',';
    row += fields[i];
  }
  return row;
}

}  // namespace mtool::cli
