#pragma once
// The coronal MIP pictures of `lesions` and `response`, laid out the same way: a title (patient, study
// date, frame of reference), the MIP with orientation letters, a scale bar in mm and the lesions' labels
// (placed without overlap by place_labels, with leader lines), an SUV colour bar beside it and a legend
// below. Drawn with Cairo (report/canvas.h).
#include <string>
#include <vector>

#include "sbrtkit/coronal_mip.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/label_placement.h"

namespace sbrtkit::picture {

struct MipLabel {
  double px = 0, py = 0;  // the lesion's pixel in the MIP (CoronalMip::pixel_of)
  std::string text;       // its ID
  Rgb colour;             // the box's border and leader line
};

struct MipLegendRow {
  Rgb colour;
  std::string text;
  bool outline = false;  // an outline swatch (a PTV silhouette) instead of a filled one
};

struct MipPictureInput {
  CoronalMip mip;
  double window_suv = 10;         // the MIP's grey window (black at and above)
  std::string suv_title = "SUV";  // above the colour bar, e.g. "SUVbw"
  std::vector<std::string> title;  // first line bold
  std::vector<MipLabel> labels;
  std::vector<MipLegendRow> legend;
};

/// Where things landed, in picture pixels: for tests and for anyone overlaying the PNG.
struct MipPictureLayout {
  int width = 0, height = 0;
  int mip_x = 0, mip_y = 0;                  // the MIP's top-left pixel
  int bar_x = 0, bar_y = 0, bar_w = 0, bar_h = 0;  // the colour bar's pixels
  std::vector<PlacedLabel> labels;           // boxes in picture pixels, in input order
  int legend_y = 0, legend_row_px = 0;       // first legend row's top, row height
  double scale_bar_mm = 0;
};

struct MipPicture {
  std::string png;
  MipPictureLayout layout;
};

Expected<MipPicture> draw_mip_picture(const MipPictureInput& input);

/// "YYYY-MM-DD" from a DICOM DA "YYYYMMDD"; anything else as it is ("" -> "date unknown").
std::string display_date(const std::string& dicom_date);

}  // namespace sbrtkit::picture
