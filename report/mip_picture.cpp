#include "report/mip_picture.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/canvas.h"

namespace sbrtkit::picture {

std::string display_date(const std::string& d) {
  if (d.empty()) return "date unknown";
  if (d.size() == 8 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
  return d;
}

Expected<MipPicture> draw_mip_picture(const MipPictureInput& in) {
  constexpr int kMargin = 10, kTitleLine = 18, kBarWidth = 16, kLegendRow = 18;
  constexpr double kLabelSize = 12, kLegendSize = 12;
  const int w = in.mip.image.width, h = in.mip.image.height;
  MipPictureLayout lay;
  lay.mip_x = kMargin;
  lay.mip_y = kMargin + kTitleLine * int(std::max<std::size_t>(in.title.size(), 1)) + 4;
  lay.bar_w = kBarWidth;
  lay.bar_h = std::clamp(h - 60, 60, 260);
  lay.bar_x = lay.mip_x + w + 24;
  lay.bar_y = lay.mip_y + 24;
  lay.legend_row_px = kLegendRow;
  lay.legend_y = lay.mip_y + h + 10;
  lay.width = lay.bar_x + kBarWidth + 52;
  {
    Canvas measure(1, 1);  // text widths before the canvas size is known
    for (std::size_t n = 0; n < in.title.size(); ++n)
      lay.width = std::max(lay.width, kMargin * 2 + int(std::ceil(measure.text_width(in.title[n], n == 0 ? 14 : 12, n == 0))));
    for (const auto& row : in.legend)
      lay.width = std::max(lay.width, kMargin * 2 + 20 + int(std::ceil(measure.text_width(row.text, kLegendSize))));
  }
  lay.height = lay.legend_y + kLegendRow * int(in.legend.size()) + kMargin;
  Canvas c(lay.width, lay.height);
  // Title: patient and study, then what the picture is.
  for (std::size_t n = 0; n < in.title.size(); ++n)
    c.text(kMargin, kMargin + 13 + kTitleLine * double(n), in.title[n], n == 0 ? 14 : 12, {0, 0, 0}, Align::left, n == 0);
  c.image(in.mip.image, lay.mip_x, lay.mip_y);
  c.stroke_rect(lay.mip_x - 0.5, lay.mip_y - 0.5, w + 1, h + 1, {120, 120, 120});
  // Orientation (radiological: patient right on the picture's left) and the scale bar, kept clear of labels.
  const Rgb orient{160, 0, 0};
  c.text(lay.mip_x + 4, lay.mip_y + 16, "R", 14, orient, Align::left, true);
  c.text(lay.mip_x + w - 4, lay.mip_y + 16, "L", 14, orient, Align::right, true);
  std::vector<LabelBox> obstacles = {{double(lay.mip_x), double(lay.mip_y), 20, 22},
                                     {double(lay.mip_x + w - 20), double(lay.mip_y), 20, 22}};
  lay.scale_bar_mm = scale_bar_mm(w * in.mip.mm_per_px);
  const double bar_len = lay.scale_bar_mm / in.mip.mm_per_px;
  const double sx = lay.mip_x + 12, sy = lay.mip_y + h - 12;
  draw_scale_bar(c, sx, sy, lay.scale_bar_mm, in.mip.mm_per_px);
  obstacles.push_back({sx - 4, sy - 22, bar_len + 8, 32});
  // Labels: IDs in boxes, placed inside the MIP without overlap, leader lines back to the lesion.
  const double text_h = c.text_height(kLabelSize);
  std::vector<LabelRequest> requests;
  for (const auto& l : in.labels)
    requests.push_back({lay.mip_x + l.px, lay.mip_y + l.py, std::ceil(c.text_width(l.text, kLabelSize, true)) + 8,
                        std::ceil(text_h) + 7});
  lay.labels = place_labels(requests, {double(lay.mip_x), double(lay.mip_y), double(w), double(h)}, obstacles);
  for (std::size_t n = 0; n < in.labels.size(); ++n) {
    const auto& p = lay.labels[n];
    if (!p.leader) continue;
    const auto [ex, ey] = p.box.nearest_point(requests[n].anchor_x, requests[n].anchor_y);
    c.line(requests[n].anchor_x, requests[n].anchor_y, ex, ey, {0, 0, 0}, 2.5);  // dark halo
    c.line(requests[n].anchor_x, requests[n].anchor_y, ex, ey, in.labels[n].colour, 1.2);
  }
  for (std::size_t n = 0; n < in.labels.size(); ++n) {
    const LabelBox& b = lay.labels[n].box;
    c.fill_rect(b.x, b.y, b.width, b.height, {255, 255, 255});
    c.stroke_rect(b.x + 1, b.y + 1, b.width - 2, b.height - 2, in.labels[n].colour, 2);
    c.text(b.x + 0.5 * b.width, b.y + 0.5 * (b.height + text_h), in.labels[n].text, kLabelSize, {0, 0, 0}, Align::centre,
           true);
  }
  // SUV colour bar with the MIP's own grey map.
  const double tick = in.window_suv <= 10 ? 2 : 5;
  draw_suv_bar(c, lay.bar_x, lay.bar_y, lay.bar_w, lay.bar_h, in.window_suv, tick, in.suv_title);
  // Legend.
  for (std::size_t n = 0; n < in.legend.size(); ++n) {
    const double top = lay.legend_y + kLegendRow * double(n);
    const auto& row = in.legend[n];
    if (row.outline) {
      c.stroke_rect(kMargin + 1.5, top + 3.5, 11, 11, row.colour, 2);
    } else {
      c.fill_rect(kMargin + 1, top + 3, 12, 12, row.colour);
      c.stroke_rect(kMargin + 0.5, top + 2.5, 13, 13, {60, 60, 60});
    }
    c.text(kMargin + 20, top + 14, row.text, kLegendSize, {0, 0, 0});
  }
  auto png = c.png();
  if (!png) return png.error();
  return MipPicture{std::move(*png), std::move(lay)};
}

}  // namespace sbrtkit::picture
