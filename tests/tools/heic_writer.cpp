// Writes a HEIC (HEVC in HEIF, as iPhones save photos) copy of a photo with
// libvips, for score's HEIC test: neither PIL nor the fixtures script can.
// usage: heic_writer IN OUT
#include <cstdio>
#include <vips/vips8>

int main(int argc, char** argv) {
  if (argc != 3 || VIPS_INIT(argv[0]) != 0) return 2;
  try {
    vips::VImage::new_from_file(argv[1]).heifsave(
        argv[2], vips::VImage::option()->set("Q", 90)->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC));
  } catch (const vips::VError& error) {
    std::fprintf(stderr, "heic_writer: %s\n", error.what());
    return 1;
  }
  return 0;
}
