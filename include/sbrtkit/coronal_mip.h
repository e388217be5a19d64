#pragma once
/// Coronal maximum-intensity projection of a PET volume (along the grid's j axis) as a picture: patient
/// right on the left, superior at the top, square pixels of at least 1 mm (the picture is at most about
/// 1024 pixels wide). White is SUV 0, black is `window_suv` and above; labelled voxels tint their pixel
/// with the label's colour (the hottest labelled voxel along the ray decides). Pure computation.
///
///   CoronalMip mip = coronal_mip(suv, labels, 10.0, [](std::uint8_t l) { return Rgb{255, 0, 0}; });
///   auto [px, py] = mip.pixel_of(suv.geometry.to_index(point));

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "sbrtkit/slice_render.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

struct CoronalMip {
  RgbaImage image;
  double mm_per_px = 1;
  std::int64_t ni = 0, nk = 0;
  bool flip_i = false, flip_k = false;
  double spacing_i = 1, spacing_k = 1;

  /// Continuous grid index (i, k) at the centre of pixel (px, py).
  std::pair<double, double> index_at(int px, int py) const;
  /// Pixel (column, row) showing continuous grid index (i, k); may lie outside the picture.
  std::pair<int, int> pixel_of(double i, double k) const;
};

/// The grey of an unlabelled pixel: 255 x (1 - clamp(suv / window_suv, 0, 1)), truncated. The colour bar
/// beside a MIP is drawn with this same function.
std::uint8_t mip_grey(double suv, double window_suv);

/// `labels`: one byte per voxel of suv's grid (0 = none), or empty for no overlay.
CoronalMip coronal_mip(const Volume<float>& suv, const std::vector<std::uint8_t>& labels, double window_suv,
                       const std::function<Rgb(std::uint8_t)>& colour_of);

}  // namespace sbrtkit
