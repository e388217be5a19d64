// PNG encoding of rendered slices (libpng, written to memory).
#include <png.h>

#include <csetjmp>
#include <string>

#include "io/png_writer.h"

namespace sbrtkit {
namespace {

void append_to_string(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void no_flush(png_structp) {}

}  // namespace

Expected<std::string> encode_png(const RgbaImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgba.size() != std::size_t(image.width) * std::size_t(image.height) * 4)
    return Error::bad_argument("image", "a non-empty RGBA raster", std::to_string(image.width) + " x " +
                                                                       std::to_string(image.height));
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return Error::io("", "libpng: cannot create a write structure");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return Error::io("", "libpng: cannot create an info structure");
  }
  std::string out;
  std::vector<png_byte> row(std::size_t(image.width) * 3);
  // libpng reports errors by longjmp; nothing with a destructor is created between here and the end.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return Error::io("", "libpng: encoding failed");
  }
  png_set_write_fn(png, &out, append_to_string, no_flush);
  png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int r = 0; r < image.height; ++r) {
    const std::uint8_t* src = image.pixel(0, r);
    for (int c = 0; c < image.width; ++c) {
      row[std::size_t(c) * 3 + 0] = src[std::size_t(c) * 4 + 0];
      row[std::size_t(c) * 3 + 1] = src[std::size_t(c) * 4 + 1];
      row[std::size_t(c) * 3 + 2] = src[std::size_t(c) * 4 + 2];
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace sbrtkit
