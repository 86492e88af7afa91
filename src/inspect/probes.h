#pragma once
// One probe per file kind. Each returns false when the bytes are not its kind
// (so the detector tries the next), fills the report when they are, and throws
// FormatError when they are its kind but damaged: the detector then reports the
// file as corrupt with what the probe found wrong.
#include <string>

#include "inspect/model_report.h"
#include "io/byte_reader.h"

namespace mtool {

bool try_inspect_torch_zip(Bytes file, ModelReport& report);      // torch_archive.cpp
bool try_inspect_lite_flatbuffer(Bytes file, ModelReport& report);  // lite_flatbuffer.cpp
bool try_inspect_legacy_torch_save(Bytes file, ModelReport& report);  // legacy_torch_save.cpp
bool try_inspect_pickle(Bytes file, ModelReport& report);         // legacy_torch_save.cpp
bool try_inspect_onnx(Bytes file, ModelReport& report);          // onnx_model.cpp
bool try_inspect_coreml(Bytes file, ModelReport& report);        // coreml_package.cpp
bool try_inspect_executorch(Bytes file, ModelReport& report);     // executorch_program.cpp
bool try_inspect_tflite(Bytes file, ModelReport& report);         // tflite_model.cpp
bool try_inspect_foreign_format(Bytes file, ModelReport& report);  // foreign_formats.cpp
bool try_inspect_text_download(Bytes file, ModelReport& report);   // text_downloads.cpp
// A directory: only a Core ML .mlpackage or compiled .mlmodelc is a model.
bool try_inspect_directory(const std::string& path, ModelReport& report);  // coreml_package.cpp
// The same for a folder's files wherever they are (a folder inside a zipped app).
class FileFolder;
bool try_inspect_model_folder(const FileFolder& folder, ModelReport& report);  // coreml_package.cpp

}  // namespace mtool
