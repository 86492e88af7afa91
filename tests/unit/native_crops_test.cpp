// Native-resolution crops of multi-view recipes (score/native_crops.h) and
// their recipe key: where the crops go, what they hold, and what a recipe
// must say for them.
#include <doctest/doctest.h>

#include "io/error.h"
#include "score/native_crops.h"
#include "score/recipe.h"

using namespace mtool;

namespace {

// A flat grey view with one textured cell: the cell (column, row) of a grid
// of `columns` x `rows` over a `size` x `size` view gets a checkerboard.
Rgb8Image view_with_detail_at(int size, int columns, int rows, int column, int row) {
  Rgb8Image view{size, size, std::vector<uint8_t>(static_cast<size_t>(size) * size * 3, 128)};
  for (int y = row * size / rows; y < (row + 1) * size / rows; ++y) {
    for (int x = column * size / columns; x < (column + 1) * size / columns; ++x) {
      uint8_t value = (x + y) % 2 ? 255 : 0;
      for (int c = 0; c < 3; ++c) view.pixels[(static_cast<size_t>(y) * size + x) * 3 + c] = value;
    }
  }
  return view;
}

}  // namespace

TEST_CASE("native crops: the first crop is centred on the most detailed cell, inside the photo") {
  // Landscape: 6 columns x 4 rows. Detail in column 4, row 1 of a 1200 x 800 photo.
  std::vector<CropBox> boxes = native_crop_boxes(1200, 800, view_with_detail_at(128, 6, 4, 4, 1), 4, 128);
  REQUIRE(boxes.size() == 4);
  CHECK(boxes[0].left == 9 * 1200 / 12 - 64);
  CHECK(boxes[0].top == 3 * 800 / 8 - 64);
  // Ties (flat cells) go in grid order: the first cell, clamped at the photo's corner.
  CHECK(boxes[1].left == 1200 / 12 - 64);
  CHECK(boxes[1].top == 800 / 8 - 64);
  for (const CropBox& box : boxes) {
    CHECK(box.left + 128 <= 1200);
    CHECK(box.top + 128 <= 800);
  }
  // Portrait: 4 columns x 6 rows.
  std::vector<CropBox> portrait = native_crop_boxes(800, 1200, view_with_detail_at(128, 4, 6, 1, 4), 1, 128);
  CHECK(portrait[0].left == 3 * 800 / 8 - 64);
  CHECK(portrait[0].top == 9 * 1200 / 12 - 64);
}

TEST_CASE("native crops: a crop copies the photo's pixels; a small photo is enlarged first") {
  Rgb8Image photo{300, 200, std::vector<uint8_t>(300 * 200 * 3)};
  for (size_t i = 0; i < photo.pixels.size(); ++i) photo.pixels[i] = static_cast<uint8_t>(i * 7 % 251);
  Rgb8Image part = crop(photo, {10, 20}, 16);
  CHECK(part.width == 16);
  CHECK(part.pixels[0] == photo.pixels[(20 * 300 + 10) * 3]);
  CHECK(part.pixels[(15 * 16 + 15) * 3 + 2] == photo.pixels[((20 + 15) * 300 + 10 + 15) * 3 + 2]);
  CHECK(at_least(photo, 128).width == 300);
  Rgb8Image enlarged = at_least(photo, 256);
  CHECK(enlarged.height == 256);
  CHECK(enlarged.width == 384);
}

TEST_CASE("recipe key native_crops: parsed, shown, and checked against the first view's size") {
  Recipe recipe;
  apply_recipe_json(recipe, {{"resize", {128, 128}}, {"crop", nullptr}, {"native_crops", {{"count", 4}, {"size", 128}}}}, "test");
  CHECK(recipe.native_crops == 4);
  CHECK(recipe_input_shape(recipe) == std::vector<int64_t>{1, 15, 128, 128});
  CHECK(recipe_to_json(recipe)["native_crops"]["size"] == 128);
  CHECK(describe_recipe(recipe).find("4 crops 128x128 at 100%") != std::string::npos);
  CHECK_FALSE(recipe_to_json(Recipe{}).contains("native_crops"));

  Recipe other;
  CHECK_THROWS_AS(apply_recipe_json(other, {{"native_crops", {{"count", 4}, {"size", 128}}}}, "test"), Error);  // 224 crop
  CHECK_THROWS_AS(apply_recipe_json(other, {{"native_crops", {{"count", 0}, {"size", 128}}}}, "test"), Error);
  CHECK_THROWS_AS(apply_recipe_json(other, {{"native_crops", 4}}, "test"), Error);
  apply_recipe_json(recipe, {{"native_crops", nullptr}}, "test");
  CHECK(recipe.native_crops == 0);
}
