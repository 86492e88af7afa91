#include <algorithm>
#include <fmt/format.h>

#include "inspect/coreml_report.h"

namespace mtool {

namespace {

std::string range_text(const CoreMlSizeRange& range) {
  return range.upper < 0 ? fmt::format("{}..unbounded", range.lower) : fmt::format("{}..{}", range.lower, range.upper);
}

}  // namespace

bool CoreMlFeature::flexible() const {
  return !enumerated_sizes.empty() || width_range || height_range || !enumerated_shapes.empty() ||
         !shape_ranges.empty();
}

bool CoreMlFeature::unbounded() const {
  auto open = [](const CoreMlSizeRange& range) { return range.upper < 0; };
  return (width_range && open(*width_range)) || (height_range && open(*height_range)) ||
         std::any_of(shape_ranges.begin(), shape_ranges.end(), open);
}

std::string CoreMlFeature::summary() const {
  std::string text = type;
  if (type == "Image") {
    text += fmt::format(" ({}, {} x {})", color_space.empty() ? "?" : color_space, width, height);
    if (width_range || height_range) {
      text += fmt::format(", sizes {} x {}", width_range ? range_text(*width_range) : "fixed",
                          height_range ? range_text(*height_range) : "fixed");
    }
    if (!enumerated_sizes.empty()) {
      std::vector<std::string> sizes;
      for (auto [w, h] : enumerated_sizes) sizes.push_back(fmt::format("{} x {}", w, h));
      text += fmt::format(", sizes {}", fmt::join(sizes, " | "));
    }
  } else if (type == "MultiArray" || type == "State") {
    text += fmt::format(" ({}, {})", data_type.empty() ? "?" : data_type, fmt::join(shape, " x "));
    if (!shape_ranges.empty()) {
      std::vector<std::string> ranges;
      for (const CoreMlSizeRange& range : shape_ranges) ranges.push_back(range_text(range));
      text += fmt::format(", ranges {}", fmt::join(ranges, " x "));
    }
    if (!enumerated_shapes.empty()) {
      std::vector<std::string> shapes;
      for (const auto& one : enumerated_shapes) shapes.push_back(fmt::format("{}", fmt::join(one, " x ")));
      text += fmt::format(", shapes {}", fmt::join(shapes, " | "));
    }
  } else if (type == "Dictionary" || type == "Sequence") {
    text += fmt::format(" ({})", key_type.empty() ? "?" : key_type);
  }
  if (optional) text += ", optional";
  return text;
}

}  // namespace mtool
