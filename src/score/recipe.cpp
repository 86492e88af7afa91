#include "score/recipe.h"

#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <sstream>

#include "io/error.h"

namespace mtool {

namespace {

using Json = nlohmann::json;

[[noreturn]] void bad_key(const std::string& where, const char* key, const std::string& expected) {
  throw Error(ErrorKind::Usage, fmt::format("{}: recipe key \"{}\" must be {}", where, key, expected));
}

int positive_size(const Json& value, const std::string& where, const char* key) {
  if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 65535) {
    bad_key(where, key, "a size from 1 to 65535, [width, height], or null");
  }
  return value.get<int>();
}

// A size key: N, [W, H], or null/0 for none.
std::pair<int, int> size_pair(const Json& value, const std::string& where, const char* key) {
  if (value.is_null() || (value.is_number_integer() && value.get<int64_t>() == 0)) return {0, 0};
  if (value.is_array()) {
    if (value.size() != 2) bad_key(where, key, "a size, [width, height], or null");
    return {positive_size(value[0], where, key), positive_size(value[1], where, key)};
  }
  int size = positive_size(value, where, key);
  return {size, size};
}

// Three numbers (R, G, B), or one for every channel (as torchvision's Normalize(0.5, 0.5)
// broadcasts it; a grey recipe's one channel).
std::array<double, 3> triple(const Json& value, const std::string& where, const char* key, bool nonzero) {
  const char* expected = "a number, or a list of 1 or 3 numbers (R, G, B)";
  Json list = value.is_number() ? Json::array({value}) : value;
  if (!list.is_array() || (list.size() != 3 && list.size() != 1)) bad_key(where, key, expected);
  std::array<double, 3> out{};
  for (size_t i = 0; i < 3; ++i) {
    const Json& item = list[list.size() == 1 ? 0 : i];
    if (!item.is_number()) bad_key(where, key, expected);
    out[i] = item.get<double>();
    if (nonzero && out[i] == 0) bad_key(where, key, "non-zero numbers");
  }
  return out;
}

// A grey recipe's mean and std are one number each.
Json per_channel(const std::array<double, 3>& values, bool grey) {
  return grey ? Json::array({values[0]}) : Json(values);
}

std::string one_of(const Json& value, const std::string& where, const char* key, std::initializer_list<const char*> allowed) {
  std::string expected = fmt::format("one of \"{}\"", fmt::join(allowed, "\", \""));
  if (!value.is_string()) bad_key(where, key, expected);
  for (const char* option : allowed) {
    if (value.get<std::string>() == option) return option;
  }
  bad_key(where, key, expected);
}

std::optional<Json> read_sidecar(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  Json parsed = Json::parse(text.str(), nullptr, false);
  if (!parsed.is_object()) throw Error(ErrorKind::Usage, fmt::format("{}: not a JSON object (a recipe sidecar)", path));
  return parsed;
}

// "native_crops": {"count": N, "size": S}, or null for none.
void apply_native_crops(Recipe& recipe, const Json& value, const std::string& where) {
  const char* expected = "{\"count\": 1 to 64, \"size\": 16 to 1024} or null";
  if (value.is_null()) {
    recipe.native_crops = recipe.native_crop_size = 0;
    return;
  }
  if (!value.is_object() || !value.contains("count") || !value.contains("size")) bad_key(where, "native_crops", expected);
  const Json& count = value["count"];
  const Json& size = value["size"];
  if (!count.is_number_integer() || count.get<int64_t>() < 1 || count.get<int64_t>() > 64 || !size.is_number_integer() ||
      size.get<int64_t>() < 16 || size.get<int64_t>() > 1024) {
    bad_key(where, "native_crops", expected);
  }
  recipe.native_crops = count.get<int>();
  recipe.native_crop_size = size.get<int>();
}

// The crops are stacked on the channel axis after the first view, so that
// view must be the crops' size: an exact resize to it, or a crop of it.
void check_native_crops(const Recipe& recipe, const std::string& where) {
  std::vector<int64_t> shape = recipe_input_shape(recipe);
  int size = recipe.native_crop_size;
  bool square = shape.size() == 4 && shape[recipe.nhwc ? 1 : 2] == size && shape[recipe.nhwc ? 2 : 3] == size;
  if (!square) {
    throw Error(ErrorKind::Usage, fmt::format("{}: recipe key \"native_crops\" needs the resized or cropped view to be "
                                              "{}x{}, the crops' size", where, size, size));
  }
}

}  // namespace

Json recipe_to_json(const Recipe& recipe) {
  Json resize = nullptr;
  if (recipe.resize_shorter > 0) {
    resize = recipe.resize_shorter;
  } else if (recipe.resize_width > 0) {
    resize = {recipe.resize_width, recipe.resize_height};
  }
  Json crop = nullptr;
  if (recipe.crop_width > 0) {
    crop = recipe.crop_width == recipe.crop_height ? Json(recipe.crop_width) : Json{recipe.crop_width, recipe.crop_height};
  }
  Json out = {{"resize", resize},
              {"crop", crop},
              {"range", recipe.range_max == 255.0 ? "0-255" : "0-1"},
              {"mean", per_channel(recipe.mean, recipe.grey)},
              {"std", per_channel(recipe.std, recipe.grey)},
              {"channels", recipe.grey ? "L" : recipe.bgr ? "BGR" : "RGB"},
              {"layout", recipe.nhwc ? "NHWC" : "NCHW"},
              {"dtype", recipe.dtype},
              {"exact_resize", recipe.exact_resize},
              {"auto_rotate", recipe.auto_rotate}};
  if (recipe.native_crops > 0) out["native_crops"] = {{"count", recipe.native_crops}, {"size", recipe.native_crop_size}};
  return out;
}

Json recipe_with_stored_keys(const Recipe& recipe, const Json& stored) {
  Json merged = stored.is_object() ? stored : Json::object();
  Json fields = recipe_to_json(recipe);  // items() must not outlive its object
  for (auto& [key, value] : fields.items()) merged[key] = value;
  return merged;
}

void apply_recipe_json(Recipe& recipe, const Json& json, const std::string& where) {
  if (!json.is_object()) throw Error(ErrorKind::Usage, fmt::format("{}: a recipe must be a JSON object", where));
  if (json.contains("resize")) {
    const Json& value = json["resize"];
    auto [width, height] = size_pair(value, where, "resize");
    bool shorter = value.is_number_integer();
    recipe.resize_shorter = shorter ? width : 0;
    recipe.resize_width = shorter ? 0 : width;
    recipe.resize_height = shorter ? 0 : height;
  }
  if (json.contains("crop")) std::tie(recipe.crop_width, recipe.crop_height) = size_pair(json["crop"], where, "crop");
  if (json.contains("range")) recipe.range_max = one_of(json["range"], where, "range", {"0-1", "0-255"}) == "0-1" ? 1.0 : 255.0;
  if (json.contains("mean")) recipe.mean = triple(json["mean"], where, "mean", false);
  if (json.contains("std")) recipe.std = triple(json["std"], where, "std", true);
  if (json.contains("channels")) {
    std::string channels = one_of(json["channels"], where, "channels", {"RGB", "BGR", "L"});
    recipe.bgr = channels == "BGR";
    recipe.grey = channels == "L";
  }
  if (json.contains("layout")) recipe.nhwc = one_of(json["layout"], where, "layout", {"NCHW", "NHWC"}) == "NHWC";
  if (json.contains("dtype")) recipe.dtype = one_of(json["dtype"], where, "dtype", {"float32", "uint8"});
  if (json.contains("exact_resize")) {
    if (!json["exact_resize"].is_boolean()) bad_key(where, "exact_resize", "true or false");
    recipe.exact_resize = json["exact_resize"].get<bool>();
  }
  if (json.contains("auto_rotate")) {
    if (!json["auto_rotate"].is_boolean()) bad_key(where, "auto_rotate", "true or false");
    recipe.auto_rotate = json["auto_rotate"].get<bool>();
  }
  if (json.contains("native_crops")) apply_native_crops(recipe, json["native_crops"], where);
  if (recipe.native_crops > 0) check_native_crops(recipe, where);
  bool one_value = recipe.mean[0] == recipe.mean[1] && recipe.mean[1] == recipe.mean[2] &&
                   recipe.std[0] == recipe.std[1] && recipe.std[1] == recipe.std[2];
  if (recipe.grey && recipe.dtype != "uint8" && !one_value) {
    // ImageNet's three means (the default) have no meaning for one grey channel: said, not guessed.
    throw Error(ErrorKind::Usage, fmt::format("{}: channels \"L\" (one grey channel) takes one mean and one std, e.g. "
                                              "--mean 0.1307 --std 0.3081 (MNIST), or --mean 0 --std 1 for none",
                                              where));
  }
}

std::vector<int64_t> recipe_input_shape(const Recipe& recipe) {
  int64_t width = recipe.crop_width > 0 ? recipe.crop_width : recipe.resize_width;
  int64_t height = recipe.crop_width > 0 ? recipe.crop_height : recipe.resize_height;
  if (width <= 0 || height <= 0) return {};
  int64_t channels = (recipe.grey ? 1 : 3) * (1 + static_cast<int64_t>(recipe.native_crops));
  if (recipe.nhwc) return {1, height, width, channels};
  return {1, channels, height, width};
}

std::string describe_recipe(const Recipe& recipe) {
  std::string resize = "no resize";
  if (recipe.resize_shorter > 0) resize = fmt::format("resize shorter side to {}", recipe.resize_shorter);
  if (recipe.resize_width > 0) resize = fmt::format("resize to {}x{}", recipe.resize_width, recipe.resize_height);
  std::string crop = recipe.crop_width > 0 ? fmt::format("center crop {}x{}", recipe.crop_width, recipe.crop_height) : "no crop";
  std::string values = recipe.dtype == "uint8"
                           ? "uint8 0-255"
                           : fmt::format("{} range {}, mean [{}] std [{}]", recipe.dtype, recipe.range_max == 255.0 ? "0-255" : "0-1",
                                         recipe.grey ? fmt::format("{}", recipe.mean[0]) : fmt::format("{}", fmt::join(recipe.mean, ", ")),
                                         recipe.grey ? fmt::format("{}", recipe.std[0]) : fmt::format("{}", fmt::join(recipe.std, ", ")));
  std::string crops = recipe.native_crops > 0
                          ? fmt::format(", {} crops {}x{} at 100%", recipe.native_crops, recipe.native_crop_size, recipe.native_crop_size)
                          : "";
  return fmt::format("{}{}, {}{}, {}, {} {}", resize, recipe.exact_resize ? " (exact)" : "", crop, crops, values,
                     recipe.grey ? "L" : recipe.bgr ? "BGR" : "RGB", recipe.nhwc ? "NHWC" : "NCHW");
}

const std::string* stored_recipe_text(const ModelReport& report) {
  for (const ExtraFile& extra : report.extra_files) {
    if (extra.name == "mtool.json" && extra.text) return &*extra.text;
  }
  return nullptr;
}

ResolvedRecipe resolve_recipe(const ModelReport& report, const Json& flags) {
  ResolvedRecipe resolved;
  std::string sidecar = report.path + ".json";
  if (const std::string* text = stored_recipe_text(report)) {
    Json stored = Json::parse(*text, nullptr, false);
    std::string where = report.path + " extra/mtool.json";
    if (stored.is_discarded()) throw Error(ErrorKind::Usage, where + ": not valid JSON");
    apply_recipe_json(resolved.recipe, stored, where);
    resolved.stored = stored;
    resolved.source = "extra/mtool.json";
  } else if (std::optional<Json> stored = read_sidecar(sidecar)) {
    apply_recipe_json(resolved.recipe, *stored, sidecar);
    resolved.stored = *stored;
    resolved.source = sidecar;
  } else {
    resolved.source = "default (torchvision ImageNet)";
  }
  if (!flags.empty()) {
    apply_recipe_json(resolved.recipe, flags, "flags");
    resolved.source = "flags over " + resolved.source;
  }
  return resolved;
}

}  // namespace mtool
