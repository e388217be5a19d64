#pragma once
// PNG files decoded back to RGB for tests that check what a picture shows (libpng's simplified API;
// only the pipelines tests link libpng).
#include <png.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sbrtkit::testing {

struct DecodedPng {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // row-major, 3 bytes per pixel
  const std::uint8_t* at(int x, int y) const { return &rgb[3 * (std::size_t(y) * std::size_t(width) + std::size_t(x))]; }
};

/// Empty (width 0) when the bytes are not a PNG.
inline DecodedPng decode_png(const std::string& bytes) {
  DecodedPng out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return out;
  image.format = PNG_FORMAT_RGB;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) return {};
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  return out;
}

}  // namespace sbrtkit::testing
