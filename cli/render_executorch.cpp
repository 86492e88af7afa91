// The ExecuTorch sections of `mtool inspect` (schema: docs/inspect-json.md).
#include <fmt/format.h>

#include "render_formats.h"
#include "terminal.h"

namespace mtool::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string value_text(const EtValue& value) {
  return value.kind == "tensor" ? typed_shape(value.dtype, value.shape) : value.kind;
}

std::string values_text(const std::vector<EtValue>& values) {
  std::vector<std::string> parts;
  for (const EtValue& value : values) parts.push_back(value_text(value));
  return fmt::format("({})", fmt::join(parts, ", "));
}

uint64_t planned_bytes(const EtMethod& method) {
  uint64_t total = 0;
  // Memory id 0 is reserved; the sizes of the others are what the plan allocates.
  for (size_t i = 1; i < method.planned_buffers.size(); ++i) total += static_cast<uint64_t>(std::max<int64_t>(0, method.planned_buffers[i]));
  return total;
}

std::string methods_text(const ExecuTorchReport& et, bool all) {
  std::string out = fmt::format("{}", et.methods.size());
  for (size_t i = 0; i < et.methods.size(); ++i) {
    if (!all && i == kSectionShown) {
      out += fmt::format("{}... {} more (--all lists them)", kValueIndent, et.methods.size() - kSectionShown);
      break;
    }
    const EtMethod& method = et.methods[i];
    out += fmt::format("{}{}{} -> {}", kValueIndent, method.name, values_text(method.inputs), values_text(method.outputs));
    out += fmt::format("{}  {} instructions · {} values · planned memory {}", kValueIndent, method.instructions,
                       method.values, human_bytes(planned_bytes(method)));
  }
  return out;
}

std::string delegates_text(const ExecuTorchReport& et) {
  std::vector<std::string> parts;
  for (const EtMethod& method : et.methods) {
    for (const EtDelegate& delegate : method.delegates) {
      parts.push_back(fmt::format("{} ×{} in {} ({} {})", delegate.backend, delegate.calls, method.name,
                                  human_bytes(delegate.payload_bytes), delegate.location));
    }
  }
  return fmt::format("{}", fmt::join(parts, std::string(",") + kValueIndent));
}

std::string constants_text(const ExecuTorchReport& et) {
  std::vector<std::string> parts;
  if (et.constant_inline_bytes > 0) parts.push_back(fmt::format("{} inline", human_bytes(et.constant_inline_bytes)));
  if (et.constant_segment_bytes > 0) parts.push_back(fmt::format("{} in the constant segment", human_bytes(et.constant_segment_bytes)));
  if (!et.named_data.empty()) {
    uint64_t bytes = 0;
    for (const EtNamedData& named : et.named_data) bytes += named.bytes;
    parts.push_back(fmt::format("{} named data entries ({})", et.named_data.size(), human_bytes(bytes)));
  }
  return fmt::format("{}", fmt::join(parts, " · "));
}

std::string external_text(const ExecuTorchReport& et, bool all) {
  size_t missing = 0;
  for (const EtExternalTensor& tensor : et.external_tensors) missing += tensor.found_in.empty() ? 1 : 0;
  std::string out = fmt::format("{} tensors outside the program", et.external_tensors.size());
  if (et.external_checked) out += fmt::format(", {} not in any .ptd beside it", missing);
  for (size_t i = 0; i < et.external_tensors.size(); ++i) {
    if (!all && i == kSectionShown) {
      out += fmt::format("{}... {} more (--all lists them)", kValueIndent, et.external_tensors.size() - kSectionShown);
      break;
    }
    const EtExternalTensor& tensor = et.external_tensors[i];
    std::string where = !et.external_checked ? "" : tensor.found_in.empty() ? "  missing" : "  in " + tensor.found_in;
    out += fmt::format("{}{} {} {}{}", kValueIndent, tensor.key, tensor.dtype, human_bytes(tensor.bytes), where);
  }
  return out;
}

std::string header_text(const ExecuTorchReport& et) {
  std::string out = fmt::format("{} · schema version {}", et.identifier, et.schema_version);
  if (et.program_size) out += fmt::format(" · flatbuffer {} bytes", *et.program_size);
  if (et.segment_base_offset) out += fmt::format(" · segments from byte {}", *et.segment_base_offset);
  size_t outside = 0;
  for (const EtSegment& segment : et.segments) outside += segment.in_file ? 0 : 1;
  if (!et.segments.empty()) out += fmt::format(" · {} segments{}", et.segments.size(), outside ? fmt::format(" ({} past the end)", outside) : "");
  return out;
}

OrderedJson value_json(const EtValue& value) {
  OrderedJson json = {{"kind", value.kind}};
  if (value.kind == "tensor") {
    json["dtype"] = value.dtype;
    json["shape"] = value.shape;
    json["dynamism"] = value.dynamism;
  }
  return json;
}

OrderedJson method_json(const EtMethod& method) {
  OrderedJson inputs = OrderedJson::array();
  for (const EtValue& value : method.inputs) inputs.push_back(value_json(value));
  OrderedJson outputs = OrderedJson::array();
  for (const EtValue& value : method.outputs) outputs.push_back(value_json(value));
  OrderedJson operators = OrderedJson::array();
  for (const EtOperator& op : method.operators) {
    operators.push_back({{"name", op.name}, {"overload", op.overload}, {"calls", op.calls}, {"kernel_keys", op.kernel_keys}});
  }
  OrderedJson delegates = OrderedJson::array();
  for (const EtDelegate& delegate : method.delegates) {
    delegates.push_back({{"backend", delegate.backend}, {"calls", delegate.calls}, {"location", delegate.location},
                         {"payload_bytes", delegate.payload_bytes}, {"compile_specs", delegate.compile_specs}});
  }
  return {{"name", method.name},           {"inputs", inputs},
          {"outputs", outputs},            {"operators", operators},
          {"delegates", delegates},        {"instructions", method.instructions},
          {"values", method.values},       {"planned_buffers", method.planned_buffers},
          {"planned_bytes", planned_bytes(method)}};
}

}  // namespace

std::string typed_shape(const std::string& dtype, const std::vector<int64_t>& shape) {
  return fmt::format("{}[{}]", dtype, fmt::join(shape, ", "));
}

TextRows executorch_text_fields(const ExecuTorchReport& et, bool all) {
  TextRows fields;
  fields.emplace_back("program", header_text(et));
  if (!et.methods.empty()) fields.emplace_back("methods", methods_text(et, all));
  std::string delegates = delegates_text(et);
  if (!delegates.empty()) fields.emplace_back("delegates", delegates);
  std::string constants = constants_text(et);
  if (!constants.empty()) fields.emplace_back("constants", constants);
  if (!et.external_tensors.empty()) fields.emplace_back("external", external_text(et, all));
  if (!et.bundled_tests.empty()) {
    std::vector<std::string> suites;
    for (const EtTestSuite& suite : et.bundled_tests) {
      suites.push_back(fmt::format("{}: {} cases", suite.method, suite.test_cases));
    }
    fields.emplace_back("tests", fmt::format("{}", fmt::join(suites, " · ")));
  }
  return fields;
}

OrderedJson executorch_json(const ExecuTorchReport& et) {
  OrderedJson methods = OrderedJson::array();
  for (const EtMethod& method : et.methods) methods.push_back(method_json(method));
  OrderedJson segments = OrderedJson::array();
  for (const EtSegment& segment : et.segments) {
    segments.push_back({{"offset", segment.offset}, {"size", segment.size}, {"in_file", segment.in_file}});
  }
  OrderedJson named = OrderedJson::array();
  for (const EtNamedData& entry : et.named_data) named.push_back({{"key", entry.key}, {"bytes", entry.bytes}});
  OrderedJson external = OrderedJson::array();
  for (const EtExternalTensor& tensor : et.external_tensors) {
    external.push_back({{"key", tensor.key},
                        {"dtype", tensor.dtype},
                        {"bytes", tensor.bytes},
                        {"found_in", tensor.found_in.empty() ? OrderedJson(nullptr) : OrderedJson(tensor.found_in)}});
  }
  OrderedJson tests = OrderedJson::array();
  for (const EtTestSuite& suite : et.bundled_tests) {
    tests.push_back({{"method", suite.method}, {"test_cases", suite.test_cases}, {"inputs", suite.inputs},
                     {"expected_outputs", suite.expected_outputs}});
  }
  auto optional = [](const std::optional<uint64_t>& value) {
    return value ? OrderedJson(*value) : OrderedJson(nullptr);
  };
  return {{"kind", et.kind},
          {"identifier", et.identifier},
          {"schema_version", et.schema_version},
          {"program_size", optional(et.program_size)},
          {"segment_base_offset", optional(et.segment_base_offset)},
          {"methods", methods},
          {"segments", segments},
          {"constant_inline_bytes", et.constant_inline_bytes},
          {"constant_segment_bytes", et.constant_segment_bytes},
          {"named_data", named},
          {"external_tensors", external},
          {"external_checked", et.external_checked},
          {"bundled_tests", tests}};
}

}  // namespace mtool::cli
