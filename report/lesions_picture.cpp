// `sbrtkit lesions`: a coronal MIP of the PET with every lesion tinted, numbered at its centroid, and a
// legend (id, name, SUVmax, MTV, covering PTV) below, for a look before the table.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sbrtkit/bitmap_text.h"
#include "sbrtkit/coronal_mip.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "io/output_file.h"
#include "io/png_writer.h"

namespace sbrtkit {
namespace {

// Eight colours that stay apart on a grey MIP and from each other (Okabe-Ito, without black).
constexpr std::array<Rgb, 7> kPalette = {Rgb{230, 159, 0},  Rgb{86, 180, 233}, Rgb{0, 158, 115}, Rgb{240, 228, 66},
                                         Rgb{0, 114, 178},  Rgb{213, 94, 0},   Rgb{204, 121, 167}};
Rgb lesion_colour(int id) { return kPalette[static_cast<std::size_t>(id - 1) % kPalette.size()]; }

}  // namespace

Status write_lesions_mip_png(const std::filesystem::path& file, const LesionsReport& rep) {
  const Volume<float>& suv = rep.pet_suv;
  // Label = lesion id (ids above 255 share 255: the picture is for a look, the NRRD/SEG keep every id).
  std::vector<std::uint8_t> label(suv.voxels.size(), 0);
  for (const auto& l : rep.lesions)
    for (std::size_t q = 0; q < l.voxels.index.size(); ++q)
      if (l.voxels.weight[q] >= 0.5f && label[l.voxels.index[q]] == 0)
        label[l.voxels.index[q]] = static_cast<std::uint8_t>(std::min(l.id, 255));
  CoronalMip mip = coronal_mip(suv, label, 10.0, [](std::uint8_t id) { return lesion_colour(id); });
  const int w = mip.image.width, h = mip.image.height, row_h = 14;  // legend rows: scale-1 text
  const int legend_h = static_cast<int>(rep.lesions.size()) * row_h + 8;
  RgbaImage img(w, h + legend_h);
  std::fill(img.rgba.begin(), img.rgba.end(), std::uint8_t{255});
  std::copy(mip.image.rgba.begin(), mip.image.rgba.end(), img.rgba.begin());
  draw_text(img, 4, 4, "R", {200, 0, 0}, 2);
  draw_text(img, w - 4 - text_width("L", 2), 4, "L", {200, 0, 0}, 2);
  for (std::size_t row = 0; row < rep.lesions.size(); ++row) {
    const LesionRow& l = rep.lesions[row];
    const IndexPoint c = suv.geometry.to_index(l.uptake.centroid);  // the image's own frame
    const auto [px, py] = mip.pixel_of(c.i, c.k);
    const std::string id = std::to_string(l.id);
    // PET lesions are numbered to the right of their centroid, RTSTRUCT ones to the left, so that an ROI
    // and the PET lesion inside it stay readable.
    const int id_x = l.source == "RTSTRUCT" ? px - 8 - text_width(id, 2) : px + 8;
    draw_text(img, id_x, std::clamp(py - 7, 0, h - 14), id, {0, 0, 0}, 2);
    const std::string text = fmt::format("{} {} SUVMAX {:.1f} MTV {:.2f} CC {}", id, l.name, l.uptake.suv_max,
                                         l.uptake.mtv_cc, l.covering_ptv);
    draw_legend_row(img, h + 4 + static_cast<int>(row) * row_h, row_h, lesion_colour(std::min(l.id, 255)), text, 1);
  }
  auto png = encode_png(img);
  if (!png) return png.error();
  return write_file_atomically(file, *png);
}

}  // namespace sbrtkit
