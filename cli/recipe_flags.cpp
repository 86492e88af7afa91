#include "recipe_flags.h"

#include <charconv>
#include <cstdio>
#include <fmt/format.h>

#include "io/error.h"

namespace mtool::cli {

namespace {

using Json = nlohmann::json;

int parse_int(const std::string& text, const char* flag, const std::string& whole) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    throw Error(ErrorKind::Usage, fmt::format("{} '{}': expected a size like 224, or WIDTHxHEIGHT like 320x240, or none", flag, whole));
  }
  return value;
}

// "256" -> 256, "320x240" -> [320, 240], "none" -> null
Json parse_size(const std::string& text, const char* flag) {
  if (text == "none" || text == "0") return nullptr;
  size_t x = text.find('x');
  if (x == std::string::npos) return parse_int(text, flag, text);
  return {parse_int(text.substr(0, x), flag, text), parse_int(text.substr(x + 1), flag, text)};
}

Json parse_triple(const std::string& text, const char* flag) {
  Json values = Json::array();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      size_t used = 0;
      double value = std::stod(part, &used);
      if (used != part.size()) throw std::invalid_argument(part);
      values.push_back(value);
    } catch (const std::exception&) {
      throw Error(ErrorKind::Usage, fmt::format("{} '{}': expected three numbers like 0.485,0.456,0.406", flag, text));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (values.size() != 3 && values.size() != 1) {
    throw Error(ErrorKind::Usage, fmt::format("{} '{}': expected three numbers (R,G,B) or one for every channel", flag, text));
  }
  return values;
}

}  // namespace

void add_recipe_flags(CLI::App& command, RecipeFlags& flags) {
  const char* group = "Preprocessing (overrides the model's stored recipe)";
  command.add_option("--resize", flags.resize, "Resize the shorter side to S, or to exactly WxH, or none")
      ->type_name("S|WxH")->group(group);
  command.add_option("--crop", flags.crop, "Center crop to S x S or WxH, or none")->type_name("S|WxH")->group(group);
  command.add_option("--range", flags.range, "Pixel values scaled to 0-1 or kept 0-255")
      ->check(CLI::IsMember({"0-1", "0-255"}))->type_name("0-1|0-255")->group(group);
  command.add_option("--mean", flags.mean, "Per-channel mean to subtract, R,G,B or one number for all (in --range units)")
      ->type_name("R,G,B|M")->group(group);
  command.add_option("--std", flags.std, "Per-channel std to divide by, R,G,B or one number for all")
      ->type_name("R,G,B|S")->group(group);
  command.add_option("--channels", flags.channels, "Channel order, or L: one grey channel (PIL's convert(\"L\"))")
      ->check(CLI::IsMember({"RGB", "BGR", "L"}))->type_name("RGB|BGR|L")->group(group);
  command.add_option("--layout", flags.layout, "Tensor layout")->check(CLI::IsMember({"NCHW", "NHWC"}))->type_name("NCHW|NHWC")->group(group);
  command.add_option("--dtype", flags.dtype, "Tensor dtype (uint8: raw 0-255 pixels, no normalisation)")
      ->check(CLI::IsMember({"float32", "uint8"}))->type_name("float32|uint8")->group(group);
  command.add_flag("--exact-resize", flags.exact_resize,
                   "Decode in full and resize with PIL's bilinear filter (torchvision parity) instead of shrink-on-load")
      ->group(group);
  command.add_flag("--no-auto-rotate", flags.no_auto_rotate,
                   "Keep the stored pixel orientation, ignoring EXIF (as PIL's Image.open does without exif_transpose)")
      ->group(group);
}

Json recipe_overrides(const RecipeFlags& flags) {
  Json overrides = Json::object();
  if (!flags.resize.empty()) overrides["resize"] = parse_size(flags.resize, "--resize");
  if (!flags.crop.empty()) overrides["crop"] = parse_size(flags.crop, "--crop");
  if (!flags.range.empty()) overrides["range"] = flags.range;
  if (!flags.mean.empty()) overrides["mean"] = parse_triple(flags.mean, "--mean");
  if (!flags.std.empty()) overrides["std"] = parse_triple(flags.std, "--std");
  if (!flags.channels.empty()) overrides["channels"] = flags.channels;
  if (!flags.layout.empty()) overrides["layout"] = flags.layout;
  if (!flags.dtype.empty()) overrides["dtype"] = flags.dtype;
  if (flags.exact_resize) overrides["exact_resize"] = true;
  if (flags.no_auto_rotate) overrides["auto_rotate"] = false;
  return overrides;
}

void print_recipe(const std::string& model, const ResolvedRecipe& resolved) {
  Json shown = {{"model", model}, {"source", resolved.source}, {"recipe", recipe_with_stored_keys(resolved.recipe, resolved.stored)}};
  std::printf("%s\n", shown.dump(2).c_str());
}

}  // namespace mtool::cli
