#pragma once
// Reading a Core ML specification (Model.proto and the messages it holds)
// with the bounds-checked protobuf reader. Field numbers are from coremltools'
// public mlmodel/format/*.proto.
#include "inspect/coreml_report.h"
#include "io/byte_reader.h"

namespace mtool {

// True when the bytes open like a Core ML Model message (specificationVersion,
// then a description or a model type). Does not throw.
bool looks_like_coreml_spec(Bytes bytes);

// The whole specification; a FormatError when it is damaged.
CoreMlModel read_coreml_spec(Bytes bytes);

// "neuralNetwork" -> "neural network" etc., for people.
std::string coreml_kind_words(const std::string& kind);

}  // namespace mtool
