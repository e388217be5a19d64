#pragma once
/// A picture of one plane through the patient: CT in a grey window, a dose colour wash, isodose lines
/// and structure outlines, rendered into an RGBA image in memory (encoding to PNG is an adapter's job).
/// Everything is sampled in patient space through each volume's own ImageGeometry, so the picture is
/// the same whatever the patient position (HFS, FFS, HFP, ...) or slice order of the data.
///
/// Display conventions (LPS patient axes, radiological viewing):
///   axial     seen from the feet:  patient left on image right (+x), anterior up    (+y down)
///   coronal   seen from the front: patient left on image right (+x), head up       (-z down)
///   sagittal  seen from the left:  anterior on image left (+y right), head up       (-z down)
///
///   SlicePlane plane = make_slice_plane(SliceView::axial, centre, 120, 120, 0.4);
///   SliceLayers layers{.ct = &ct_hu, .dose = &dose_gy, .wash_min_gy = 3, .wash_max_gy = 36};
///   layers.isodoses = {{30.0, {255, 0, 0}}, {15.0, {0, 200, 255}}};
///   RgbaImage picture = render_slice(plane, layers);

#include <cstdint>
#include <string>
#include <vector>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

enum class SliceView { axial, coronal, sagittal };
const char* to_string(SliceView view);

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

/// Row-major, top row first, 4 bytes per pixel (R, G, B, A; straight alpha).
struct RgbaImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;

  RgbaImage() = default;
  RgbaImage(int w, int h) : width(w), height(h), rgba(std::size_t(w) * std::size_t(h) * 4, 0) {}
  std::uint8_t* pixel(int col, int row) { return &rgba[(std::size_t(row) * std::size_t(width) + std::size_t(col)) * 4]; }
  const std::uint8_t* pixel(int col, int row) const {
    return &rgba[(std::size_t(row) * std::size_t(width) + std::size_t(col)) * 4];
  }
  Rgb rgb(int col, int row) const {
    const std::uint8_t* p = pixel(col, row);
    return {p[0], p[1], p[2]};
  }
};

/// Continuous pixel coordinates: (0, 0) is the centre of the top-left pixel, col grows to the right.
struct PixelPoint {
  double col = 0, row = 0;
};

/// A display raster placed in patient space: the centre of pixel (col, row) is
/// top_left + col * pixel_mm * right + row * pixel_mm * down.
struct SlicePlane {
  SliceView view = SliceView::axial;
  PatientPoint top_left;  // centre of pixel (0, 0)
  Vec3 right{1, 0, 0}, down{0, 1, 0};  // unit vectors in patient space
  double pixel_mm = 1;
  int width = 0, height = 0;

  PatientPoint to_patient(PixelPoint p) const {
    return top_left + (p.col * pixel_mm) * right + (p.row * pixel_mm) * down;
  }
  /// Pixel coordinates of the orthogonal projection of p onto the plane.
  PixelPoint to_pixel(PatientPoint p) const {
    const Vec3 d = p - top_left;
    return {dot(d, right) / pixel_mm, dot(d, down) / pixel_mm};
  }
  /// Signed distance of p from the plane along right x down (mm).
  double distance_mm(PatientPoint p) const { return dot(p - top_left, cross(right, down)); }
};

/// A width_mm x height_mm plane of the given view centred on `centre` (which falls on a pixel centre
/// when the pixel counts are odd); width = round(width_mm / pixel_mm), at least 1.
SlicePlane make_slice_plane(SliceView view, PatientPoint centre, double width_mm, double height_mm,
                            double pixel_mm);

/// Anatomical name of a patient-space direction by its dominant component: "L", "R", "A", "P", "S", "I"
/// (LPS: +x = L, +y = P, +z = S). Used to label the image edges.
std::string direction_label(Vec3 direction);

/// Trilinear value of `volume` at every pixel centre of the plane, row-major; NaN where the pixel
/// centre lies outside the volume's voxel cells.
std::vector<float> sample_on_plane(const Volume<float>& volume, const SlicePlane& plane);

/// 1 where the pixel centre lies inside the structure's solid (ContourStack::contains, computed exactly
/// row by row), else 0; row-major.
std::vector<std::uint8_t> structure_mask(const ContourStack& stack, const SlicePlane& plane);

struct PixelSegment {
  PixelPoint a, b;
};

/// Marching squares over a row-major grid of values at pixel centres: the segments of the level set
/// value == level, crossings placed by linear interpolation along cell edges (saddles resolved by the
/// cell's mean). Cells with a NaN corner are skipped.
std::vector<PixelSegment> isolines(const std::vector<float>& values, int width, int height, double level);

/// Colour of the dose wash at a fraction in [0, 1] of its range (clamped): blue, cyan, green, yellow,
/// red, in five equally spaced stops interpolated linearly.
Rgb dose_colour(double fraction);

struct IsodoseLine {
  double dose_gy = 0;
  Rgb colour;
};

struct SliceStructure {
  const ContourStack* stack = nullptr;
  Rgb colour;
};

struct SliceLayers {
  const Volume<float>* ct = nullptr;  // HU; nullptr or outside the CT: black
  double window_width_hu = 400, window_level_hu = 40;
  const DoseVolume* dose = nullptr;  // Gy; nullptr: no wash, no isodoses
  double wash_min_gy = 0;             // transparent below
  double wash_max_gy = 0;             // top of the colour scale
  double wash_opacity = 0.45;
  std::vector<IsodoseLine> isodoses;
  double isodose_width_px = 2;  // drawn with a one-pixel dark halo
  std::vector<SliceStructure> structures;
  int outline_width_px = 1;
  double scale_bar_mm = 0;  // white bar in the lower-left corner; 0: none
};

/// Layers in this order: CT, dose wash, structure outlines, isodose lines, scale bar. Opaque output.
RgbaImage render_slice(const SlicePlane& plane, const SliceLayers& layers);

}  // namespace sbrtkit
