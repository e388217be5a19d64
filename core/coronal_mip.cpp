// Coronal MIP picture; see the header for the conventions.
#include "sbrtkit/coronal_mip.h"

#include <algorithm>
#include <cmath>

namespace sbrtkit {

std::pair<double, double> CoronalMip::index_at(int px, int py) const {
  double i = (px + 0.5) * mm_per_px / spacing_i - 0.5, k = (py + 0.5) * mm_per_px / spacing_k - 0.5;
  if (flip_i) i = double(ni - 1) - i;
  if (flip_k) k = double(nk - 1) - k;
  return {i, k};
}

std::pair<int, int> CoronalMip::pixel_of(double i, double k) const {
  if (flip_i) i = double(ni - 1) - i;
  if (flip_k) k = double(nk - 1) - k;
  return {int(std::floor((i + 0.5) * spacing_i / mm_per_px)), int(std::floor((k + 0.5) * spacing_k / mm_per_px))};
}

std::uint8_t mip_grey(double suv, double window_suv) {
  return std::uint8_t(255.0 * (1.0 - std::clamp(suv / window_suv, 0.0, 1.0)));
}

CoronalMip coronal_mip(const Volume<float>& suv, const std::vector<std::uint8_t>& labels, double window_suv,
                       const std::function<Rgb(std::uint8_t)>& colour_of) {
  const ImageGeometry& g = suv.geometry;
  CoronalMip m;
  m.ni = g.size()[0];
  m.nk = g.size()[2];
  const std::int64_t nj = g.size()[1];
  std::vector<float> mip(static_cast<std::size_t>(m.ni * m.nk), 0.0f);
  std::vector<std::uint8_t> mip_label(mip.size(), 0);
  std::vector<float> label_suv(mip.size(), -1.0f);
  const bool with_labels = labels.size() == suv.voxels.size();
  for (std::int64_t k = 0; k < m.nk; ++k)
    for (std::int64_t j = 0; j < nj; ++j)
      for (std::int64_t i = 0; i < m.ni; ++i) {
        const std::int64_t n = g.linear_index({i, j, k});
        const float s = suv.voxels[n];
        const std::size_t q = static_cast<std::size_t>(i + m.ni * k);
        mip[q] = std::max(mip[q], s);
        if (with_labels && labels[n] && s > label_suv[q]) {
          label_suv[q] = s;
          mip_label[q] = labels[n];
        }
      }
  // Patient right on the left: i runs to the left when the grid's x axis points to patient left (+x).
  m.flip_i = g.axes()[0].x < 0;
  m.flip_k = g.axes()[2].z > 0;
  const Vec3 sp = g.spacing_mm();
  m.spacing_i = sp.x;
  m.spacing_k = sp.z;
  m.mm_per_px = std::max({sp.x * double(m.ni) / 1024.0, sp.z * double(m.nk) / 1024.0, 1.0});
  const int w = int(std::lround(sp.x * double(m.ni) / m.mm_per_px));
  const int h = int(std::lround(sp.z * double(m.nk) / m.mm_per_px));
  m.image = RgbaImage(w, h);
  for (int py = 0; py < h; ++py)
    for (int px = 0; px < w; ++px) {
      auto [ci, ck] = m.index_at(px, py);
      const std::int64_t i = std::clamp<std::int64_t>(std::llround(ci), 0, m.ni - 1);
      const std::int64_t k = std::clamp<std::int64_t>(std::llround(ck), 0, m.nk - 1);
      const std::size_t q = static_cast<std::size_t>(i + m.ni * k);
      const double grey = mip_grey(mip[q], window_suv);
      double r = grey, gg = grey, b = grey;
      if (mip_label[q]) {
        const Rgb c = colour_of(mip_label[q]);
        r = 0.35 * grey + 0.65 * c.r;
        gg = 0.35 * grey + 0.65 * c.g;
        b = 0.35 * grey + 0.65 * c.b;
      }
      std::uint8_t* p = m.image.pixel(px, py);
      p[0] = std::uint8_t(r);
      p[1] = std::uint8_t(gg);
      p[2] = std::uint8_t(b);
      p[3] = 255;
    }
  return m;
}

}  // namespace sbrtkit
