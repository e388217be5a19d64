// Slice renderer against known geometry: a contoured sphere's outline in axial, coronal and sagittal
// planes, isodose lines in a linear dose, and the display orientation for HFS, FFS and HFP data.
#include "sbrtkit/slice_render.h"

#include <gtest/gtest.h>

#include <cmath>
#include <array>
#include <functional>
#include <numbers>

#include "support/analytic_phantom.h"

namespace sbrtkit {
namespace {

using testing::Shape;
using testing::Solid;

/// The contour plane of a stack whose slab holds w (the stack's half-open slabs, as contains() uses them).
const ContourPlane* owning_plane(const ContourStack& stack, double w) {
  for (const auto& p : stack.planes)
    if (w >= p.slab_low_mm && w < p.slab_high_mm) return &p;
  return nullptr;
}

/// Half-width (mm) of the run of mask pixels in `row` containing column `col`, measured between the
/// outer edges of the first and last pixel of the run.
double run_half_width_mm(const std::vector<std::uint8_t>& mask, const SlicePlane& plane, int row, int col) {
  auto in = [&](int c) { return c >= 0 && c < plane.width && mask[std::size_t(row) * plane.width + c] != 0; };
  if (!in(col)) return 0;
  int lo = col, hi = col;
  while (in(lo - 1)) --lo;
  while (in(hi + 1)) ++hi;
  return 0.5 * (hi - lo + 1) * plane.pixel_mm;
}

TEST(SlicePlane, DisplayConventionsInPatientAxes) {
  const PatientPoint centre{10, -20, 30};
  const SlicePlane axial = make_slice_plane(SliceView::axial, centre, 101, 51, 1.0);
  EXPECT_EQ(axial.width, 101);
  EXPECT_EQ(axial.height, 51);
  // Odd pixel counts: the centre is the middle pixel's centre.
  const PixelPoint c = axial.to_pixel(centre);
  EXPECT_DOUBLE_EQ(c.col, 50);
  EXPECT_DOUBLE_EQ(c.row, 25);
  // Radiological: patient left on image right, anterior at the top.
  EXPECT_EQ(direction_label(axial.right), "L");
  EXPECT_EQ(direction_label(-1.0 * axial.right), "R");
  EXPECT_EQ(direction_label(-1.0 * axial.down), "A");
  const SlicePlane coronal = make_slice_plane(SliceView::coronal, centre, 100, 100, 1.0);
  EXPECT_EQ(direction_label(coronal.right), "L");
  EXPECT_EQ(direction_label(-1.0 * coronal.down), "S");
  const SlicePlane sagittal = make_slice_plane(SliceView::sagittal, centre, 100, 100, 1.0);
  EXPECT_EQ(direction_label(sagittal.right), "P");
  EXPECT_EQ(direction_label(-1.0 * sagittal.right), "A");
  EXPECT_EQ(direction_label(-1.0 * sagittal.down), "S");
  // Every plane passes through the centre.
  EXPECT_NEAR(axial.distance_mm(centre), 0, 1e-12);
  EXPECT_NEAR(coronal.distance_mm(centre), 0, 1e-12);
  EXPECT_NEAR(sagittal.distance_mm(centre), 0, 1e-12);
}

// A sphere of radius 20 mm contoured every 2 mm (256-gon of the circle's area per plane). In an
// axial plane the section is the owning plane's polygon; in a coronal or sagittal plane it is a stack
// of bands, each 2 mm tall and as wide as its plane's polygon. Measured run widths count whole pixels
// whose centres are inside, so each edge is placed within one pixel: tolerance 1 pixel on a half-width
// (two edges, half of 2 px), plus the 256-gon's radial deviation from the circle, < 20 mm x 1e-4.
TEST(StructureMask, SphereOutlineInAxialCoronalSagittalPlanes) {
  const Solid sphere{Shape::sphere, 20, 40, PatientPoint{12.3, -7.1, 40.0}};
  const Structure s = testing::contour_solid(sphere, 2.0);
  auto stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack) << stack.error().message();
  const double px = 0.2;
  const double tol_mm = px + 20 * 1e-4;

  for (double dz : {0.0, 7.0, -13.5}) {
    const PatientPoint centre{sphere.centre.x, sphere.centre.y, sphere.centre.z + dz};
    const SlicePlane plane = make_slice_plane(SliceView::axial, centre, 50, 50, px);
    const auto mask = structure_mask(*stack, plane);
    const ContourPlane* owner = owning_plane(*stack, dot(centre - stack->origin, stack->normal));
    ASSERT_NE(owner, nullptr);
    const double r_expected = sphere.radius_at(owner->w_mm + dot(stack->origin - sphere.centre, stack->normal));
    const PixelPoint c = plane.to_pixel(sphere.centre);
    EXPECT_NEAR(run_half_width_mm(mask, plane, int(std::lround(c.row)), int(std::lround(c.col))), r_expected, tol_mm)
        << "dz " << dz;
    // Equivalent radius from the pixel count: pixels with centres inside lie within r + sqrt(2)/2 px
    // and contain every pixel within r - sqrt(2)/2 px, so r_eq is within 0.71 px of r.
    double inside = 0;
    for (auto m : mask) inside += m;
    EXPECT_NEAR(std::sqrt(inside / std::numbers::pi) * px, r_expected, 0.71 * px + 20 * 1e-4) << "dz " << dz;
  }

  for (SliceView view : {SliceView::coronal, SliceView::sagittal}) {
    const SlicePlane plane = make_slice_plane(view, sphere.centre, 50, 50, px);
    const auto mask = structure_mask(*stack, plane);
    const PixelPoint c = plane.to_pixel(sphere.centre);
    // Each contour plane's band, probed on the pixel row nearest the plane itself.
    for (const auto& cp : stack->planes) {
      const PatientPoint on_plane = stack->to_patient(0, 0, cp.w_mm);
      const int row = int(std::lround(plane.to_pixel(on_plane).row));
      const double z_rel = on_plane.z - sphere.centre.z;
      EXPECT_NEAR(run_half_width_mm(mask, plane, row, int(std::lround(c.col))), sphere.radius_at(z_rel), tol_mm)
          << to_string(view) << " plane z " << z_rel;
    }
    // Above the top slab (z_rel > 20) and below the bottom one nothing is inside.
    const int top_row = int(std::floor(plane.to_pixel(sphere.centre + Vec3{0, 0, 20 + px}).row));
    const int bottom_row = int(std::ceil(plane.to_pixel(sphere.centre - Vec3{0, 0, 20 + px}).row));
    for (int r = 0; r < plane.height; ++r) {
      if (r > top_row && r < bottom_row) continue;
      for (int col = 0; col < plane.width; ++col) ASSERT_EQ(mask[std::size_t(r) * plane.width + col], 0) << r;
    }
  }
}

// Sagittal contours seen in an axial plane: the row's trace runs across the contour planes (the
// slab-crossing branch), and the result must agree pixel for pixel with ContourStack::contains.
TEST(StructureMask, AgreesWithContainsForContoursAcrossTheRow) {
  Structure s;
  s.name = "SAGITTAL_BOX";
  for (double x = -9; x <= 9; x += 3) {
    Contour c;
    c.points = {{x, -10, -5}, {x, 10, -5}, {x, 10, 5}, {x, -10, 5}};
    s.contours.push_back(c);
  }
  auto stack = build_contour_stack(s, EndCap::half, 0);
  ASSERT_TRUE(stack) << stack.error().message();
  for (SliceView view : {SliceView::axial, SliceView::coronal, SliceView::sagittal}) {
    const SlicePlane plane = make_slice_plane(view, PatientPoint{0.3, 0.2, 0.1}, 40, 40, 0.5);
    const auto mask = structure_mask(*stack, plane);
    int inside = 0;
    for (int r = 0; r < plane.height; ++r)
      for (int c = 0; c < plane.width; ++c) {
        const bool expected = stack->contains(plane.to_patient({double(c), double(r)}));
        ASSERT_EQ(mask[std::size_t(r) * plane.width + c] != 0, expected) << to_string(view) << " " << c << "," << r;
        inside += expected;
      }
    EXPECT_GT(inside, 100) << to_string(view);
  }
}

// Trilinear interpolation reproduces a linear dose exactly, and marching squares interpolates linearly
// along cell edges, so every isoline vertex lies on the true iso-plane; the only error is float
// storage of the dose (relative 6e-8 of <= 60 Gy at 0.5 Gy/mm: < 1e-5 mm).
TEST(Isolines, LinearDoseGivesAStraightLineAtTheRightPosition) {
  const ImageGeometry g({40, 30, 20}, PatientPoint{-40, -30, -20}, Vec3{2.5, 2.0, 3.0},
                        {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  auto fill = [&](std::function<double(PatientPoint)> f) {
    DoseVolume dose(g);
    for (std::int64_t k = 0; k < 20; ++k)
      for (std::int64_t j = 0; j < 30; ++j)
        for (std::int64_t i = 0; i < 40; ++i) dose.at(i, j, k) = float(f(g.to_patient(VoxelIndex{i, j, k})));
    return dose;
  };
  const DoseVolume along_x = fill([](PatientPoint p) { return 30 + 0.5 * p.x; });
  const DoseVolume along_y = fill([](PatientPoint p) { return 30 + 0.5 * p.y; });
  const DoseVolume along_z = fill([](PatientPoint p) { return 30 + 0.5 * p.z; });
  const PatientPoint centre{3.1, 4.2, 5.3};
  struct Case {
    SliceView view;
    const DoseVolume* dose;
    bool vertical;    // iso-line is a column (else a row)
    double iso_mm;    // coordinate where dose == 33 Gy
    int axis;         // 0 x, 1 y, 2 z
  };
  for (const Case& k : {Case{SliceView::axial, &along_x, true, 6, 0}, Case{SliceView::axial, &along_y, false, 6, 1},
                        Case{SliceView::coronal, &along_z, false, 6, 2}, Case{SliceView::sagittal, &along_y, true, 6, 1}}) {
    const SlicePlane plane = make_slice_plane(k.view, centre, 40, 30, 0.37);
    const auto values = sample_on_plane(*k.dose, plane);
    const auto segments = isolines(values, plane.width, plane.height, 33.0);
    ASSERT_FALSE(segments.empty()) << to_string(k.view);
    PatientPoint on_iso = centre;
    (k.axis == 0 ? on_iso.x : k.axis == 1 ? on_iso.y : on_iso.z) = k.iso_mm;
    const PixelPoint expected = plane.to_pixel(on_iso);
    for (const auto& s : segments)
      for (const PixelPoint& p : {s.a, s.b}) {
        if (k.vertical) {
          ASSERT_NEAR(p.col, expected.col, 1e-4) << to_string(k.view);
        } else {
          ASSERT_NEAR(p.row, expected.row, 1e-4) << to_string(k.view);
        }
      }
    // The line spans the whole picture: one segment per cell along it.
    EXPECT_EQ(int(segments.size()), k.vertical ? plane.height - 1 : plane.width - 1) << to_string(k.view);
  }
}

// The same patient-space content stored as HFS, FFS and HFP grids (axes as the image reader returns
// them: row and column cosines of each position, slices along their normal) gives the same pictures,
// with patient left on image right (axial, coronal), anterior up (axial) and on the left (sagittal),
// head up (coronal, sagittal).
TEST(RenderSlice, OrientationIsTheSameForHfsFfsAndHfpData) {
  // Air with one bright 8 mm ball: the marker whose place on the picture is checked.
  auto make = [](std::array<Vec3, 3> axes, PatientPoint marker) {
    // Origin chosen so the grid covers [-50, 50] mm on every patient axis whatever the axis signs.
    const double half = 50, step = 2;
    const std::int64_t n = 51;
    PatientPoint origin{0, 0, 0};
    for (const Vec3& a : axes) origin = origin - half * a;
    Volume<float> ct(ImageGeometry({n, n, n}, origin, Vec3{step, step, step}, axes), -1000.0f);
    for (std::int64_t k = 0; k < n; ++k)
      for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < n; ++i)
          if (norm(ct.geometry.to_patient(VoxelIndex{i, j, k}) - marker) < 8) ct.at(i, j, k) = 1000.0f;
    return ct;
  };
  const std::array<Vec3, 3> hfs_axes{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
  const std::array<Vec3, 3> ffs_axes{Vec3{-1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}};
  const std::array<Vec3, 3> hfp_axes{Vec3{-1, 0, 0}, Vec3{0, -1, 0}, Vec3{0, 0, 1}};

  SliceLayers layers;
  layers.window_width_hu = 2000;
  layers.window_level_hu = 0;
  struct View {
    SliceView view;
    PatientPoint through;
    PatientPoint marker;
    int col_sign, row_sign;  // where the marker must appear relative to the centre: -1, 0, +1
  };
  for (const View& v : {View{SliceView::axial, {0, 0, 0}, {30, 0, 0}, +1, 0},
                        View{SliceView::axial, {0, 0, 0}, {0, -30, 0}, 0, -1},
                        View{SliceView::coronal, {0, 0, 0}, {30, 0, 0}, +1, 0},
                        View{SliceView::coronal, {0, 0, 0}, {0, 0, 30}, 0, -1},
                        View{SliceView::sagittal, {0, 0, 0}, {0, -30, 0}, -1, 0},
                        View{SliceView::sagittal, {0, 0, 0}, {0, 0, 30}, 0, -1}}) {
    const SlicePlane plane = make_slice_plane(v.view, v.through, 90, 90, 0.5);
    const Volume<float> hfs = make(hfs_axes, v.marker), ffs = make(ffs_axes, v.marker), hfp = make(hfp_axes, v.marker);
    layers.ct = &hfs;
    const RgbaImage a = render_slice(plane, layers);
    layers.ct = &ffs;
    const RgbaImage b = render_slice(plane, layers);
    layers.ct = &hfp;
    const RgbaImage c = render_slice(plane, layers);
    // Mirrored grids sample the same patient points: equal up to float rounding (one grey level).
    for (std::size_t p = 0; p < a.rgba.size(); ++p) {
      ASSERT_NEAR(a.rgba[p], b.rgba[p], 1) << to_string(v.view) << " FFS byte " << p;
      ASSERT_NEAR(a.rgba[p], c.rgba[p], 1) << to_string(v.view) << " HFP byte " << p;
    }
    // The bright marker's centre of mass.
    double sum = 0, sc = 0, sr = 0;
    for (int r = 0; r < a.height; ++r)
      for (int col = 0; col < a.width; ++col)
        if (a.rgb(col, r).r > 200) sum += 1, sc += col, sr += r;
    ASSERT_GT(sum, 0) << to_string(v.view);
    const PixelPoint centre = plane.to_pixel(v.through);
    const PixelPoint expected = plane.to_pixel(v.marker);
    // Disc of 8 mm radius sampled on a 0.5 mm raster: its centroid within a pixel of the truth.
    EXPECT_NEAR(sc / sum, expected.col, 1.0) << to_string(v.view);
    EXPECT_NEAR(sr / sum, expected.row, 1.0) << to_string(v.view);
    const double dc = sc / sum - centre.col, dr = sr / sum - centre.row;
    if (v.col_sign != 0) {
      EXPECT_GT(dc * v.col_sign, 40) << to_string(v.view);
    }
    if (v.row_sign != 0) {
      EXPECT_GT(dr * v.row_sign, 40) << to_string(v.view);
    }
  }
}

TEST(RenderSlice, WashIsTransparentBelowThresholdAndIsodoseIsDrawn) {
  const ImageGeometry g({21, 21, 21}, PatientPoint{-20, -20, -20}, Vec3{2, 2, 2},
                        {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  Volume<float> ct(g, 40.0f);  // level: mid-grey 128 at W400/L40
  DoseVolume dose(g);
  for (std::int64_t k = 0; k < 21; ++k)
    for (std::int64_t j = 0; j < 21; ++j)
      for (std::int64_t i = 0; i < 21; ++i) dose.at(i, j, k) = float(2.0 * double(i));  // 0..40 Gy along x
  SliceLayers layers;
  layers.ct = &ct;
  layers.dose = &dose;
  layers.wash_min_gy = 10;
  layers.wash_max_gy = 40;
  layers.isodoses = {{30.0, Rgb{255, 0, 255}}};
  const SlicePlane plane = make_slice_plane(SliceView::axial, PatientPoint{0, 0, 0}, 41, 41, 1.0);
  const RgbaImage img = render_slice(plane, layers);
  // x = -18 mm: dose 2 Gy, below the wash: plain grey (255 * (40 - (-160)) / 400 = 127.5 -> 128).
  const PixelPoint cold = plane.to_pixel({-18, 0, 0});
  EXPECT_EQ(img.rgb(int(cold.col), int(cold.row)), (Rgb{128, 128, 128}));
  // x = 0: dose 20 Gy, washed: no longer grey.
  const PixelPoint warm = plane.to_pixel({0, 5, 0});
  const Rgb w = img.rgb(int(warm.col), int(warm.row));
  EXPECT_FALSE(w.r == w.g && w.g == w.b);
  // 30 Gy at x = 10 mm: the isodose colour on that column.
  const PixelPoint iso = plane.to_pixel({10, 0, 0});
  EXPECT_EQ(img.rgb(int(std::lround(iso.col)), int(iso.row)), (Rgb{255, 0, 255}));
  for (std::size_t p = 3; p < img.rgba.size(); p += 4) ASSERT_EQ(img.rgba[p], 255);
}

TEST(DoseColour, StopsAndClamping) {
  EXPECT_EQ(dose_colour(0), (Rgb{0, 0, 255}));
  EXPECT_EQ(dose_colour(0.5), (Rgb{0, 255, 0}));
  EXPECT_EQ(dose_colour(1), (Rgb{255, 0, 0}));
  EXPECT_EQ(dose_colour(2), (Rgb{255, 0, 0}));
  EXPECT_EQ(dose_colour(-1), (Rgb{0, 0, 255}));
  EXPECT_EQ(dose_colour(0.125), (Rgb{0, 128, 255}));  // half-way blue -> cyan: 127.5 rounds to 128
}

}  // namespace
}  // namespace sbrtkit
