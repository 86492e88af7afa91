#pragma once
// What inspect found in an ONNX model (onnx.proto's ModelProto).
// Filled by onnx_model.cpp, rendered by cli/render_onnx.cpp.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mtool {

struct OnnxValue {
  std::string name;
  std::string elem_type;            // "float32", "int64", ... or "sequence", "map", "optional"
  std::vector<std::string> shape;   // "1", "batch" (symbolic), "?" (unknown)
  bool has_shape = false;
};

struct OnnxTensorTotals {
  uint64_t count = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
};

struct OnnxExternalFile {
  std::string location;  // as written in the model, relative to its folder
  // Absolute, with a '..' step, or a link leading out of the model's folder:
  // never opened (onnx refuses such paths since the CVE-2024-27318 fix).
  bool outside_folder = false;
  bool present = false;
  uint64_t size = 0;      // on disk, when present
  uint64_t needed = 0;    // bytes the model's tensors read from it (offset + length, largest)
  uint64_t tensors = 0;
};

struct OnnxReport {
  int64_t ir_version = 0;
  std::string producer_name, producer_version, domain, doc_string;
  int64_t model_version = 0;
  std::map<std::string, int64_t> opsets;  // domain ("" = ai.onnx) -> version
  std::string graph_name;
  std::vector<OnnxValue> inputs;   // graph inputs that are not initializers
  std::vector<OnnxValue> outputs;
  // "domain::op_type" ("ai.onnx" for the default domain) -> count, subgraphs included
  std::map<std::string, uint64_t> operators;
  uint64_t node_count = 0;
  std::map<std::string, OnnxTensorTotals> initializers;  // by dtype
  OnnxTensorTotals initializer_totals;
  std::vector<OnnxExternalFile> external_files;
  std::map<std::string, std::string> metadata;
  uint64_t functions = 0;
};

}  // namespace mtool
