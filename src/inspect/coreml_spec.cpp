// Core ML specifications (.mlmodel, and the model.mlmodel inside packages).
// Field numbers: coremltools mlmodel/format/Model.proto, FeatureTypes.proto,
// NeuralNetwork.proto, MIL.proto, DataStructures.proto.
#include "inspect/coreml_spec.h"

#include <algorithm>

#include <fmt/format.h>

#include "io/protobuf_reader.h"

namespace mtool {

namespace {

// Model
constexpr uint32_t kSpecificationVersion = 1, kDescription = 2, kIsUpdatable = 10;
constexpr uint32_t kPipelineClassifier = 200, kPipelineRegressor = 201, kPipeline = 202;
constexpr uint32_t kNeuralNetworkRegressor = 303, kNeuralNetworkClassifier = 403, kNeuralNetwork = 500,
                   kMlProgram = 502;

const char* model_kind(uint32_t field) {
  switch (field) {
    case 200: return "pipelineClassifier";
    case 201: return "pipelineRegressor";
    case 202: return "pipeline";
    case 300: return "glmRegressor";
    case 301: return "supportVectorRegressor";
    case 302: return "treeEnsembleRegressor";
    case 303: return "neuralNetworkRegressor";
    case 304: return "bayesianProbitRegressor";
    case 400: return "glmClassifier";
    case 401: return "supportVectorClassifier";
    case 402: return "treeEnsembleClassifier";
    case 403: return "neuralNetworkClassifier";
    case 404: return "kNearestNeighborsClassifier";
    case 500: return "neuralNetwork";
    case 501: return "itemSimilarityRecommender";
    case 502: return "mlProgram";
    case 555: return "customModel";
    case 556: return "linkedModel";
    case 560: return "classConfidenceThresholding";
    case 600: return "oneHotEncoder";
    case 601: return "imputer";
    case 602: return "featureVectorizer";
    case 603: return "dictVectorizer";
    case 604: return "scaler";
    case 606: return "categoricalMapping";
    case 607: return "normalizer";
    case 609: return "arrayFeatureExtractor";
    case 610: return "nonMaximumSuppression";
    case 900: return "identity";
    case 2000: return "textClassifier";
    case 2001: return "wordTagger";
    case 2002: return "visionFeaturePrint";
    case 2003: return "soundAnalysisPreprocessing";
    case 2004: return "gazetteer";
    case 2005: return "wordEmbedding";
    case 2006: return "audioFeaturePrint";
    case 3000: return "serializedModel";
    default: return nullptr;
  }
}

// NeuralNetworkLayer's oneof, by field number.
const char* layer_kind(uint32_t field) {
  static const std::map<uint32_t, const char*> kLayers = {
      {100, "convolution"}, {120, "pooling"}, {130, "activation"}, {140, "innerProduct"}, {150, "embedding"},
      {160, "batchnorm"}, {165, "mvn"}, {170, "l2normalize"}, {175, "softmax"}, {180, "lrn"}, {190, "crop"},
      {200, "padding"}, {210, "upsample"}, {211, "resizeBilinear"}, {212, "cropResize"}, {220, "unary"},
      {230, "add"}, {231, "multiply"}, {240, "average"}, {245, "scale"}, {250, "bias"}, {260, "max"},
      {261, "min"}, {270, "dot"}, {280, "reduce"}, {290, "loadConstant"}, {300, "reshape"}, {301, "flatten"},
      {310, "permute"}, {320, "concat"}, {330, "split"}, {340, "sequenceRepeat"}, {345, "reorganizeData"},
      {350, "slice"}, {400, "simpleRecurrent"}, {410, "gru"}, {420, "uniDirectionalLSTM"},
      {430, "biDirectionalLSTM"}, {500, "custom"}, {600, "copy"}, {605, "branch"}, {615, "loop"},
      {620, "loopBreak"}, {625, "loopContinue"}, {635, "rangeStatic"}, {640, "rangeDynamic"}, {660, "clip"},
      {665, "ceil"}, {670, "floor"}, {680, "sign"}, {685, "round"}, {700, "exp2"}, {710, "sin"}, {715, "cos"},
      {720, "tan"}, {730, "asin"}, {735, "acos"}, {740, "atan"}, {750, "sinh"}, {755, "cosh"}, {760, "tanh"},
      {770, "asinh"}, {775, "acosh"}, {780, "atanh"}, {790, "erf"}, {795, "gelu"}, {815, "equal"},
      {820, "notEqual"}, {825, "lessThan"}, {827, "lessEqual"}, {830, "greaterThan"}, {832, "greaterEqual"},
      {840, "logicalOr"}, {845, "logicalXor"}, {850, "logicalNot"}, {855, "logicalAnd"},
      {865, "modBroadcastable"}, {870, "minBroadcastable"}, {875, "maxBroadcastable"},
      {880, "addBroadcastable"}, {885, "powBroadcastable"}, {890, "divideBroadcastable"},
      {895, "floorDivBroadcastable"}, {900, "multiplyBroadcastable"}, {905, "subtractBroadcastable"},
      {920, "tile"}, {925, "stack"}, {930, "gather"}, {935, "scatter"}, {940, "gatherND"}, {945, "scatterND"},
      {950, "softmaxND"}, {952, "gatherAlongAxis"}, {954, "scatterAlongAxis"}, {960, "reverse"},
      {965, "reverseSeq"}, {975, "splitND"}, {980, "concatND"}, {985, "transpose"}, {995, "sliceStatic"},
      {1000, "sliceDynamic"}, {1005, "slidingWindows"}, {1015, "topK"}, {1020, "argMin"}, {1025, "argMax"},
      {1040, "embeddingND"}, {1045, "batchedMatmul"}, {1065, "getShape"}, {1070, "loadConstantND"},
      {1080, "fillLike"}, {1085, "fillStatic"}, {1090, "fillDynamic"}, {1100, "broadcastToLike"},
      {1105, "broadcastToStatic"}, {1110, "broadcastToDynamic"}, {1120, "squeeze"}, {1125, "expandDims"},
      {1130, "flattenTo2D"}, {1135, "reshapeLike"}, {1140, "reshapeStatic"}, {1145, "reshapeDynamic"},
      {1150, "rankPreservingReshape"}, {1170, "randomNormalLike"}, {1175, "randomNormalStatic"},
      {1180, "randomNormalDynamic"}, {1190, "randomUniformLike"}, {1195, "randomUniformStatic"},
      {1200, "randomUniformDynamic"}, {1210, "randomBernoulliLike"}, {1215, "randomBernoulliStatic"},
      {1220, "randomBernoulliDynamic"}, {1230, "categoricalDistribution"}, {1250, "reduceL1"},
      {1255, "reduceL2"}, {1260, "reduceMax"}, {1265, "reduceMin"}, {1270, "reduceSum"}, {1275, "reduceProd"},
      {1280, "reduceMean"}, {1285, "reduceLogSum"}, {1290, "reduceSumSquare"}, {1295, "reduceLogSumExp"},
      {1313, "whereNonZero"}, {1315, "matrixBandPart"}, {1320, "lowerTriangular"}, {1325, "upperTriangular"},
      {1330, "whereBroadcastable"}, {1350, "layerNormalization"}};
  auto found = kLayers.find(field);
  return found == kLayers.end() ? nullptr : found->second;
}

// The WeightParams fields of each weight-bearing layer's parameters.
std::vector<uint32_t> weight_fields(const std::string& layer) {
  static const std::map<std::string, std::vector<uint32_t>> kFields = {
      {"convolution", {90, 91}},      {"innerProduct", {20, 21}}, {"embedding", {20, 21}},
      {"embeddingND", {20, 21}},      {"batchnorm", {15, 16, 17, 18}}, {"scale", {2, 5}},
      {"bias", {2}},                  {"loadConstant", {2}},     {"loadConstantND", {2}},
      {"batchedMatmul", {8, 9}},      {"simpleRecurrent", {30, 31, 32}},
      {"gru", {20, 21, 22, 50, 51, 52, 70, 71, 72}}, {"layerNormalization", {3, 4}}};
  auto found = kFields.find(layer);
  return found == kFields.end() ? std::vector<uint32_t>{} : found->second;
}

std::string array_data_type(uint64_t code) {
  switch (code) {
    case 0x10000 | 32: return "Float32";
    case 0x10000 | 64: return "Double";
    case 0x10000 | 16: return "Float16";
    case 0x20000 | 32: return "Int32";
    case 0x20000 | 8: return "Int8";
    default: return fmt::format("type {}", code);
  }
}

std::string color_space(uint64_t code) {
  switch (code) {
    case 10: return "GRAYSCALE";
    case 20: return "RGB";
    case 30: return "BGR";
    case 40: return "GRAYSCALE_FLOAT16";
    default: return fmt::format("colour space {}", code);
  }
}

// MIL.proto DataType, in the short names coremltools prints.
std::string mil_data_type(uint64_t code) {
  static const std::map<uint64_t, const char*> kTypes = {
      {1, "bool"},   {2, "string"}, {10, "fp16"},  {11, "fp32"},  {12, "fp64"},  {13, "bf16"},
      {21, "int8"},  {22, "int16"}, {23, "int32"}, {24, "int64"}, {25, "int4"},  {31, "uint8"},
      {32, "uint16"}, {33, "uint32"}, {34, "uint64"}, {35, "uint4"}, {36, "uint2"}, {37, "uint1"},
      {38, "uint3"}, {39, "uint6"}, {40, "fp8e4m3fn"}, {41, "fp8e5m2"}};
  auto found = kTypes.find(code);
  return found == kTypes.end() ? fmt::format("type {}", code) : found->second;
}

// A map<string, X> entry: key 1, value 2.
std::pair<std::string, ProtoField> map_entry(const ProtoReader& parent, const ProtoField& entry_field) {
  ProtoReader entry = parent.nested(entry_field);
  ProtoField field, value;
  std::string key;
  while (entry.next(field)) {
    if (field.is_message(1)) key = field.text();
    if (field.number == 2) value = field;
  }
  return {key, value};
}

std::vector<int64_t> int64_values(ProtoReader message, uint32_t number) {
  std::vector<int64_t> values;
  ProtoField field;
  while (message.next(field)) {
    if (field.number == number) for_each_varint(field, [&](uint64_t v) { values.push_back(static_cast<int64_t>(v)); });
  }
  return values;
}

CoreMlSizeRange size_range(ProtoReader range) {
  CoreMlSizeRange result;
  ProtoField field;
  while (range.next(field)) {
    if (field.is(1, WireType::Varint)) result.lower = static_cast<int64_t>(field.varint);
    if (field.is(2, WireType::Varint)) result.upper = static_cast<int64_t>(field.varint);
  }
  return result;
}

void read_image_type(ProtoReader image, CoreMlFeature& feature) {
  feature.type = "Image";
  ProtoField field;
  while (image.next(field)) {
    if (field.is(1, WireType::Varint)) feature.width = static_cast<int64_t>(field.varint);
    if (field.is(2, WireType::Varint)) feature.height = static_cast<int64_t>(field.varint);
    if (field.is(3, WireType::Varint)) feature.color_space = color_space(field.varint);
    if (field.is_message(21)) {
      ProtoReader sizes = image.nested(field);
      ProtoField size;
      while (sizes.next(size)) {
        if (!size.is_message(1)) continue;
        std::vector<int64_t> wh = {0, 0};
        ProtoReader one = sizes.nested(size);
        ProtoField part;
        while (one.next(part)) {
          if ((part.number == 1 || part.number == 2) && part.wire_type == 0) wh[part.number - 1] = static_cast<int64_t>(part.varint);
        }
        feature.enumerated_sizes.emplace_back(wh[0], wh[1]);
      }
    }
    if (field.is_message(31)) {
      ProtoReader ranges = image.nested(field);
      ProtoField range;
      while (ranges.next(range)) {
        if (range.is_message(1)) feature.width_range = size_range(ranges.nested(range));
        if (range.is_message(2)) feature.height_range = size_range(ranges.nested(range));
      }
    }
  }
}

void read_array_type(ProtoReader array, CoreMlFeature& feature) {
  if (feature.type.empty()) feature.type = "MultiArray";
  ProtoField field;
  while (array.next(field)) {
    if (field.number == 1) for_each_varint(field, [&](uint64_t v) { feature.shape.push_back(static_cast<int64_t>(v)); });
    if (field.is(2, WireType::Varint)) feature.data_type = array_data_type(field.varint);
    if (field.is_message(21)) {
      ProtoReader shapes = array.nested(field);
      ProtoField shape;
      while (shapes.next(shape)) {
        if (shape.is_message(1)) feature.enumerated_shapes.push_back(int64_values(shapes.nested(shape), 1));
      }
    }
    if (field.is_message(31)) {
      ProtoReader ranges = array.nested(field);
      ProtoField range;
      while (ranges.next(range)) {
        if (range.is_message(1)) feature.shape_ranges.push_back(size_range(ranges.nested(range)));
      }
    }
  }
}

// "Int64" when the message holds field 1, "String" when it holds `string_field`.
std::string int64_or_string(ProtoReader message, uint32_t string_field) {
  ProtoField field;
  std::string type;
  while (message.next(field)) {
    if (field.number == 1) type = "Int64";
    if (field.number == string_field) type = "String";
  }
  return type;
}

// FeatureType: int64 1, double 2, string 3, image 4, multiArray 5,
// dictionary 6, sequence 7, state 8, isOptional 1000.
void read_feature_type(ProtoReader type, CoreMlFeature& feature) {
  ProtoField field;
  while (type.next(field)) {
    switch (field.number) {
      case 1: feature.type = "Int64"; break;
      case 2: feature.type = "Double"; break;
      case 3: feature.type = "String"; break;
      case 4: read_image_type(type.nested(field), feature); break;
      case 5: read_array_type(type.nested(field), feature); break;
      // Dictionary keys: int64KeyType 1, stringKeyType 2; sequence elements: int64Type 1, stringType 3.
      case 6:
        feature.type = "Dictionary";
        feature.key_type = int64_or_string(type.nested(field), 2);
        break;
      case 7:
        feature.type = "Sequence";
        feature.key_type = int64_or_string(type.nested(field), 3);
        break;
      case 8: {
        feature.type = "State";
        ProtoReader state = type.nested(field);
        ProtoField array;
        while (state.next(array)) {
          if (array.is_message(1)) read_array_type(state.nested(array), feature);
        }
        break;
      }
      case 1000: feature.optional = field.varint != 0; break;
      default: break;
    }
  }
}

CoreMlFeature read_feature(ProtoReader description) {
  CoreMlFeature feature;
  ProtoField field;
  while (description.next(field)) {
    if (field.is_message(1)) feature.name = field.text();
    if (field.is_message(2)) feature.description = field.text();
    if (field.is_message(3)) read_feature_type(description.nested(field), feature);
  }
  return feature;
}

void read_metadata(ProtoReader metadata, CoreMlModel& model) {
  ProtoField field;
  while (metadata.next(field)) {
    switch (field.number) {
      case 1: model.short_description = field.text(); break;
      case 2: model.version = field.text(); break;
      case 3: model.author = field.text(); break;
      case 4: model.license = field.text(); break;
      case 100: {
        auto [key, value] = map_entry(metadata, field);
        model.user_defined[key] = value.text();
        break;
      }
      default: break;
    }
  }
}

void read_description(ProtoReader description, CoreMlModel& model) {
  ProtoField field;
  while (description.next(field)) {
    switch (field.number) {
      case 1: model.inputs.push_back(read_feature(description.nested(field))); break;
      case 10: model.outputs.push_back(read_feature(description.nested(field))); break;
      case 11: model.predicted_feature = field.text(); break;
      case 12: model.predicted_probabilities = field.text(); break;
      case 13: model.states.push_back(read_feature(description.nested(field))); break;
      case 100: read_metadata(description.nested(field), model); break;
      default: break;
    }
  }
}

void add_weight(std::map<std::string, CoreMlWeightTotals>& weights, const std::string& precision, uint64_t bytes) {
  CoreMlWeightTotals& totals = weights[precision];
  ++totals.tensors;
  totals.bytes += bytes;
}

// WeightParams: floatValue 1, float16Value 2, rawValue 30, int8RawValue 31,
// quantization 40 {numberOfBits 1, linearQuantization 101, lookupTableQuantization 102}.
void read_weight_params(ProtoReader weights, CoreMlModel& model) {
  ProtoField field;
  uint64_t bytes = 0;
  std::string precision;
  uint64_t bits = 0;
  std::string quantization;
  while (weights.next(field)) {
    if (field.number == 1) { bytes += 4 * fixed_value_count(field, 4); precision = "fp32"; }
    if (field.is_message(2)) { bytes += field.payload.size(); precision = "fp16"; }
    if (field.is_message(30)) { bytes += field.payload.size(); if (precision.empty()) precision = "raw"; }
    if (field.is_message(31)) { bytes += field.payload.size(); precision = "int8"; }
    if (field.is_message(40)) {
      ProtoReader params = weights.nested(field);
      ProtoField part;
      while (params.next(part)) {
        if (part.is(1, WireType::Varint)) bits = part.varint;
        if (part.number == 101) quantization = "linear";
        if (part.number == 102) quantization = "palettized";
      }
    }
  }
  if (bytes == 0) return;
  if (quantization == "linear") precision = fmt::format("int{} linear", bits);
  if (quantization == "palettized") precision = fmt::format("palettized {}-bit", bits);
  add_weight(model.weights, precision, bytes);
}

void read_network(ProtoReader network, CoreMlModel& model);

void read_layer(ProtoReader layer, CoreMlModel& model) {
  ProtoField field;
  std::string name;
  while (layer.next(field)) {
    if (field.is_message(1)) name = field.text();
    if (field.is_message(4) || field.is_message(5)) {
      ProtoReader tensor = layer.nested(field);
      ProtoField part;
      while (tensor.next(part)) {
        if (part.is(1, WireType::Varint) && static_cast<int64_t>(part.varint) > model.max_layer_rank) {
          model.max_layer_rank = static_cast<int64_t>(part.varint);
          model.max_rank_layer = name;
        }
      }
    }
    // The layer oneof starts at 100; a layer newer than this table is still counted, by its field number.
    if (field.number < 100 || !field.is_message(field.number)) continue;
    const char* kind = layer_kind(field.number);
    std::string type = kind != nullptr ? kind : fmt::format("layer {}", field.number);
    ++model.layers[type];
    ++model.layer_count;
    ProtoReader params = layer.nested(field);
    std::vector<uint32_t> weight_numbers = weight_fields(type);
    int64_t target_rank = 0;  // a static reshape's targetShape (field 1), packed or not
    ProtoField part;
    while (params.next(part)) {
      bool weight = std::find(weight_numbers.begin(), weight_numbers.end(), part.number) != weight_numbers.end();
      if (weight && part.is_message(part.number)) read_weight_params(params.nested(part), model);
      // LSTMs keep their WeightParams in LSTMWeightParams (field 10).
      if ((type == "uniDirectionalLSTM" || type == "biDirectionalLSTM") && part.is_message(10)) {
        ProtoReader lstm = params.nested(part);
        ProtoField matrix;
        while (lstm.next(matrix)) {
          if (matrix.is_message(matrix.number)) read_weight_params(lstm.nested(matrix), model);
        }
      }
      // A static reshape's target shape is its output rank: coremltools writes
      // it packed (one field), a hand-made file may repeat the field.
      if ((type == "reshapeStatic" || type == "reshape") && part.number == 1) {
        for_each_varint(part, [&](uint64_t) { ++target_rank; });
      }
      // Control flow holds whole networks: branch (if 1, else 2), loop (condition 3, body 4).
      bool branch = type == "branch" && (part.number == 1 || part.number == 2);
      bool loop = type == "loop" && (part.number == 3 || part.number == 4);
      if ((branch || loop) && part.is_message(part.number)) read_network(params.nested(part), model);
    }
    if (target_rank > model.max_layer_rank) {
      model.max_layer_rank = target_rank;
      model.max_rank_layer = name;
    }
  }
}

void read_preprocessing(ProtoReader preprocessing, CoreMlModel& model) {
  CoreMlPreprocessing result;
  ProtoField field;
  while (preprocessing.next(field)) {
    if (field.is_message(1)) result.feature = field.text();
    if (field.is_message(11)) result.mean_image = true;
    if (!field.is_message(10)) continue;
    // NeuralNetworkImageScaler: channelScale 10, blue 20, green 21, red 22, gray 30.
    ProtoReader scaler = preprocessing.nested(field);
    ProtoField part;
    while (scaler.next(part)) {
      if (part.wire_type != static_cast<uint8_t>(WireType::Fixed32)) continue;
      float value = part.fixed32_float();
      if (part.number == 10) result.scale = value;
      if (part.number == 20) result.blue_bias = value;
      if (part.number == 21) result.green_bias = value;
      if (part.number == 22) result.red_bias = value;
      if (part.number == 30) result.gray_bias = value;
    }
  }
  model.preprocessing.push_back(result);
}

void read_class_labels(ProtoReader labels, CoreMlModel& model, bool strings) {
  model.class_label_type = strings ? "string" : "int64";
  ProtoField field;
  while (labels.next(field)) {
    if (field.number != 1) continue;
    if (strings) {
      ++model.class_label_count;
      if (model.class_labels_preview.size() < 10) model.class_labels_preview.push_back(field.text());
    } else {
      for_each_varint(field, [&](uint64_t label) {
        ++model.class_label_count;
        if (model.class_labels_preview.size() < 10) model.class_labels_preview.push_back(std::to_string(static_cast<int64_t>(label)));
      });
    }
  }
}

// NeuralNetwork, NeuralNetworkClassifier and NeuralNetworkRegressor share
// layers 1, preprocessing 2, arrayInputShapeMapping 5; classifiers add
// stringClassLabels 100 and int64ClassLabels 101.
void read_network(ProtoReader network, CoreMlModel& model) {
  ProtoField field;
  while (network.next(field)) {
    if (field.is_message(1)) read_layer(network.nested(field), model);
    if (field.is_message(2)) read_preprocessing(network.nested(field), model);
    if (field.is(5, WireType::Varint)) model.exact_array_mapping = field.varint == 1;
    if (field.is_message(100)) read_class_labels(network.nested(field), model, true);
    if (field.is_message(101)) read_class_labels(network.nested(field), model, false);
  }
}

// ---- ML programs (MIL.proto) ----

struct MilValue {
  std::string data_type;
  std::optional<CoreMlBlobRef> blob;
  uint64_t immediate_bytes = 0;
};

std::string value_type_data_type(ProtoReader value_type) {
  ProtoField field;
  while (value_type.next(field)) {
    if (!field.is_message(1)) continue;
    ProtoReader tensor = value_type.nested(field);
    ProtoField part;
    while (tensor.next(part)) {
      if (part.is(1, WireType::Varint)) return mil_data_type(part.varint);
    }
  }
  return "";
}

// The data an immediate tensor holds, in the bytes of its element type (not
// its protobuf encoding): Repeated{Floats,Ints,Bools,Strings,LongInts,Doubles,
// Bytes} each keep their values in field 1, packed or not.
uint64_t immediate_data_bytes(ProtoReader repeated, uint32_t kind) {
  uint64_t bytes = 0;
  ProtoField values;
  while (repeated.next(values)) {
    if (values.number != 1) continue;
    uint64_t count = 0;
    switch (kind) {
      case 1: bytes += 4 * fixed_value_count(values, 4); break;  // floats
      case 6: bytes += 8 * fixed_value_count(values, 8); break;  // doubles
      case 2: for_each_varint(values, [&](uint64_t) { ++count; }); bytes += 4 * count; break;  // ints
      case 3: for_each_varint(values, [&](uint64_t) { ++count; }); bytes += count; break;      // bools
      case 5: for_each_varint(values, [&](uint64_t) { ++count; }); bytes += 8 * count; break;  // longInts
      case 7: if (values.wire_type == static_cast<uint8_t>(WireType::LengthDelimited)) bytes += values.payload.size(); break;
      default: break;  // strings are names, not weights
    }
  }
  return bytes;
}

// Value: type 2, immediateValue 3 {tensor 1 {floats 1, ints 2, bools 3,
// strings 4, longInts 5, doubles 6, bytes 7}}, blobFileValue 5 {fileName 1, offset 2}.
MilValue read_value(ProtoReader value) {
  MilValue result;
  ProtoField field;
  while (value.next(field)) {
    if (field.is_message(2)) result.data_type = value_type_data_type(value.nested(field));
    if (field.is_message(3)) {
      ProtoReader immediate = value.nested(field);
      ProtoField tensor;
      while (immediate.next(tensor)) {
        if (!tensor.is_message(1)) continue;
        ProtoReader values = immediate.nested(tensor);
        ProtoField repeated;
        while (values.next(repeated)) {
          if (repeated.is_message(repeated.number)) result.immediate_bytes += immediate_data_bytes(values.nested(repeated), repeated.number);
        }
      }
    }
    if (field.is_message(5)) {
      CoreMlBlobRef blob;
      ProtoReader file = value.nested(field);
      ProtoField part;
      while (file.next(part)) {
        if (part.is_message(1)) blob.file = part.text();
        if (part.is(2, WireType::Varint)) blob.offset = part.varint;
      }
      result.blob = blob;
    }
  }
  return result;
}

void note_value(const MilValue& value, const std::string& op_type, CoreMlModel& model) {
  if (value.blob) {
    CoreMlBlobRef blob = *value.blob;
    blob.op_type = op_type;
    blob.data_type = value.data_type;
    model.blobs.push_back(blob);
  } else if (op_type == "const" && value.immediate_bytes >= 64 && value.data_type != "string" &&
             value.data_type != "bool") {
    // Small immediates are op parameters (axes, shapes, names); larger numeric ones are weights kept in the spec.
    add_weight(model.weights, value.data_type.empty() ? "immediate" : value.data_type, value.immediate_bytes);
  }
}

void read_block(ProtoReader block, CoreMlModel& model);

// Operation: type 1, inputs 2 (map<string, Argument {arguments 1: Binding {name 1, value 2}}>),
// outputs 3, blocks 4, attributes 5 (map<string, Value>).
void read_operation(ProtoReader operation, CoreMlModel& model) {
  ProtoField field;
  std::string type;
  std::vector<MilValue> values;
  while (operation.next(field)) {
    if (field.is_message(1)) type = field.text();
    if (field.is_message(4)) read_block(operation.nested(field), model);
    if (field.is_message(5)) {
      auto [key, value] = map_entry(operation, field);
      if (value.is_message(2)) values.push_back(read_value(operation.nested(value)));
    }
    if (field.is_message(2)) {
      auto [key, argument] = map_entry(operation, field);
      if (!argument.is_message(2)) continue;
      ProtoReader arguments = operation.nested(argument);
      ProtoField binding;
      while (arguments.next(binding)) {
        if (!binding.is_message(1)) continue;
        ProtoReader bound = arguments.nested(binding);
        ProtoField part;
        while (bound.next(part)) {
          if (part.is_message(2)) values.push_back(read_value(bound.nested(part)));
        }
      }
    }
  }
  ++model.operations[type];
  ++model.operation_count;
  for (const MilValue& value : values) note_value(value, type, model);
}

void read_block(ProtoReader block, CoreMlModel& model) {
  ProtoField field;
  while (block.next(field)) {
    if (field.is_message(3)) read_operation(block.nested(field), model);
  }
}

// Program: version 1, functions 2 (map<string, Function>). Function: opset 2,
// block_specializations 3 (map<string, Block>).
void read_program(ProtoReader program, CoreMlModel& model) {
  ProtoField field;
  while (program.next(field)) {
    if (field.is(1, WireType::Varint)) model.program_version = static_cast<int64_t>(field.varint);
    if (!field.is_message(2)) continue;
    auto [name, function_field] = map_entry(program, field);
    if (!function_field.is_message(2)) continue;
    ProtoReader function = program.nested(function_field);
    ProtoField part;
    std::string opset;
    while (function.next(part)) {
      if (part.is_message(2)) opset = part.text();
      if (!part.is_message(3)) continue;
      auto [specialization, block] = map_entry(function, part);
      if (block.is_message(2)) read_block(function.nested(block), model);
    }
    model.functions[name] = opset;
  }
}

CoreMlModel read_model(ProtoReader message);

// Pipeline: models 1, names 2.
void read_pipeline(ProtoReader pipeline, CoreMlModel& model) {
  ProtoField field;
  while (pipeline.next(field)) {
    if (field.is_message(1)) model.sub_models.push_back(read_model(pipeline.nested(field)));
    if (field.is_message(2)) model.sub_model_names.push_back(field.text());
  }
}

CoreMlModel read_model(ProtoReader message) {
  CoreMlModel model;
  ProtoField field;
  while (message.next(field)) {
    if (field.is(kSpecificationVersion, WireType::Varint)) model.specification_version = static_cast<int64_t>(field.varint);
    else if (field.is_message(kDescription)) read_description(message.nested(field), model);
    else if (field.is(kIsUpdatable, WireType::Varint)) model.updatable = field.varint != 0;
    else if (const char* kind = model_kind(field.number); kind != nullptr && field.is_message(field.number)) {
      model.kind = kind;
      switch (field.number) {
        case kNeuralNetwork: case kNeuralNetworkClassifier: case kNeuralNetworkRegressor:
          read_network(message.nested(field), model);
          break;
        case kMlProgram: read_program(message.nested(field), model); break;
        case kPipeline: read_pipeline(message.nested(field), model); break;
        case kPipelineClassifier: case kPipelineRegressor: {
          ProtoReader wrapper = message.nested(field);
          ProtoField inner;
          while (wrapper.next(inner)) {
            if (inner.is_message(1)) read_pipeline(wrapper.nested(inner), model);
          }
          break;
        }
        default: break;
      }
    }
  }
  return model;
}

}  // namespace

bool looks_like_coreml_spec(Bytes bytes) {
  if (bytes.size() < 4 || bytes[0] != 0x08) return false;
  try {
    ProtoReader reader(bytes);
    ProtoField version, next;
    if (!reader.next(version) || version.varint == 0 || version.varint > 30 || !reader.next(next)) return false;
    if (next.is_message(kDescription)) {
      // A ModelDescription opens with an input (1), output (10) or metadata (100).
      ProtoReader description = reader.nested(next);
      ProtoField first;
      if (!description.next(first)) return true;
      return first.is_message(1) || first.is_message(10) || first.is_message(100) || first.is_message(11);
    }
    return next.is(kIsUpdatable, WireType::Varint) || (model_kind(next.number) && next.is_message(next.number));
  } catch (const FormatError&) {
    return false;
  }
}

CoreMlModel read_coreml_spec(Bytes bytes) { return read_model(ProtoReader(bytes)); }

std::string coreml_kind_words(const std::string& kind) {
  static const std::map<std::string, std::string> kWords = {
      {"neuralNetwork", "neural network"},
      {"neuralNetworkClassifier", "neural network classifier"},
      {"neuralNetworkRegressor", "neural network regressor"},
      {"mlProgram", "ML program"},
      {"pipeline", "pipeline"},
      {"pipelineClassifier", "pipeline classifier"},
      {"pipelineRegressor", "pipeline regressor"},
      {"textClassifier", "built-in text classifier"},
      {"wordTagger", "built-in word tagger"},
      {"visionFeaturePrint", "built-in Vision feature print"},
      {"soundAnalysisPreprocessing", "built-in sound analysis preprocessing"},
      {"gazetteer", "built-in gazetteer"},
      {"wordEmbedding", "built-in word embedding"},
      {"audioFeaturePrint", "built-in audio feature print"}};
  auto found = kWords.find(kind);
  return found == kWords.end() ? (kind.empty() ? "model of unknown kind" : kind) : found->second;
}

}  // namespace mtool
