#pragma once
// PNG encoding (libpng); libpng stays private to the io room.

#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/slice_render.h"

namespace sbrtkit {

/// 8-bit RGB PNG of the image (alpha dropped; render_slice output is opaque).
Expected<std::string> encode_png(const RgbaImage& image);

}  // namespace sbrtkit
