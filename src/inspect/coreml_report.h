#pragma once
// What inspect found in a Core ML model (.mlmodel, .mlpackage, .mlmodelc).
// Filled by coreml_spec.cpp / coreml_package.cpp, rendered by cli/render_coreml.cpp.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mtool {

struct CoreMlSizeRange {
  int64_t lower = 0;
  int64_t upper = -1;  // -1: unbounded
};

// One input, output or state of the model (FeatureTypes.proto).
struct CoreMlFeature {
  std::string name;
  std::string description;
  std::string type;  // "Image", "MultiArray", "Int64", "Double", "String", "Dictionary", "Sequence", "State"
  bool optional = false;
  // Image
  std::string color_space;  // "RGB", "BGR", "GRAYSCALE", "GRAYSCALE_FLOAT16"
  int64_t width = 0;
  int64_t height = 0;
  std::vector<std::pair<int64_t, int64_t>> enumerated_sizes;  // (width, height)
  std::optional<CoreMlSizeRange> width_range;
  std::optional<CoreMlSizeRange> height_range;
  // MultiArray (and State, which holds one)
  std::string data_type;  // "Float32", "Float16", "Double", "Int32", "Int8"
  std::vector<int64_t> shape;
  std::vector<std::vector<int64_t>> enumerated_shapes;
  std::vector<CoreMlSizeRange> shape_ranges;  // one per dimension
  // Dictionary key type / sequence element type
  std::string key_type;
  // One line, e.g. "MultiArray (Float32, 1 x 3 x 224 x 224)"
  std::string summary() const;
  bool flexible() const;
  bool unbounded() const;  // flexible, and some dimension has no upper bound
};

struct CoreMlPreprocessing {
  std::string feature;
  std::optional<float> scale;
  std::optional<float> red_bias, green_bias, blue_bias, gray_bias;
  bool mean_image = false;
};

struct CoreMlWeightTotals {
  uint64_t tensors = 0;
  uint64_t bytes = 0;
};

// A weight stored in weight.bin, referenced from the program (blobFileValue).
struct CoreMlBlobRef {
  std::string file;      // "@model_path/weights/weight.bin"
  uint64_t offset = 0;   // of its blob_metadata record
  std::string op_type;   // the operation holding it ("const", "constexpr_lut_to_dense", ...)
  std::string data_type; // declared in the program ("fp16", "uint8"...)
};

// One model: the top level, or each sub-model of a pipeline.
struct CoreMlModel {
  std::string kind;           // "neuralNetwork", "neuralNetworkClassifier", "mlProgram", "pipeline", ...
  int64_t specification_version = 0;
  std::vector<CoreMlFeature> inputs;
  std::vector<CoreMlFeature> outputs;
  std::vector<CoreMlFeature> states;
  std::string predicted_feature;
  std::string predicted_probabilities;
  bool updatable = false;
  // Metadata
  std::string short_description, version, author, license;
  std::map<std::string, std::string> user_defined;
  // Classifiers
  uint64_t class_label_count = 0;
  std::string class_label_type;  // "string" or "int64"
  std::vector<std::string> class_labels_preview;
  std::vector<CoreMlPreprocessing> preprocessing;
  // Neural networks: layer type -> count; the highest tensor rank any layer declares.
  std::map<std::string, uint64_t> layers;
  uint64_t layer_count = 0;
  int64_t max_layer_rank = 0;
  std::string max_rank_layer;  // name of a layer past rank 5, for the diagnosis
  bool exact_array_mapping = false;
  // ML programs
  int64_t program_version = 0;
  std::map<std::string, std::string> functions;  // name -> opset
  std::map<std::string, uint64_t> operations;     // MIL op type -> count
  uint64_t operation_count = 0;
  std::vector<CoreMlBlobRef> blobs;
  // Weights stored inside the spec, by precision ("fp32", "fp16", "int8 linear", "palettized 4-bit"...)
  std::map<std::string, CoreMlWeightTotals> weights;
  std::vector<CoreMlModel> sub_models;  // pipelines
  std::vector<std::string> sub_model_names;
};

struct CoreMlFile {
  std::string path;  // relative to the package or compiled folder
  uint64_t size = 0;
};

// What weight.bin holds, walked by its record headers.
struct CoreMlWeightFile {
  std::string path;
  bool present = false;
  uint64_t size = 0;
  uint32_t version = 0;
  uint32_t blob_count = 0;
  std::map<std::string, CoreMlWeightTotals> by_type;  // MILBlob dtype -> totals
  std::vector<std::string> problems;  // records that disagree with the program or the file
};

struct CoreMlReport {
  std::string container;  // "mlmodel", "mlpackage", "mlmodelc"
  CoreMlModel model;
  std::optional<std::string> root_model_path;  // packages: the item Manifest.json names
  bool root_missing = false;
  std::vector<CoreMlFile> files;
  std::optional<CoreMlWeightFile> weight_file;
  // Weights of the whole model by precision: inside the spec plus weight.bin blobs.
  std::map<std::string, CoreMlWeightTotals> weights;
  std::string opset;  // the newest MIL opset used ("CoreML5"...) or from model.mil ("ios16")
  // Oldest OS releases that run it and the feature that forces them.
  std::map<std::string, std::string> minimum_os;  // "iOS" -> "15"
  std::string minimum_os_reason;
  int64_t required_specification = 0;
  std::map<std::string, std::string> compiled_metadata;  // .mlmodelc metadata.json facts
};

}  // namespace mtool
