#include "sbrtkit/dicom/rtstruct.h"

#include <cmath>
#include <limits>

#include "support/dicom_fixtures.h"
#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit {
namespace {

using testing::expect_error;
using testing::ScratchDir;

Contour square(double z, double half, ContourType type = ContourType::closed_planar) {
  return {type, {{-half, -half, z}, {half, -half, z}, {half, half, z}, {-half, half, z}}};
}

StructureSet sample_set() {
  StructureSet s;
  s.label = "SBRT_L3";
  Structure ptv{1, "PTV_L3", "PTV", std::array<int, 3>{255, 0, 0}, {square(0, 10.25), square(3, 9.5)}};
  Structure ring{2, "Ring", "", std::nullopt,
                 {square(0, 20, ContourType::closed_planar_xor), square(0, 12.5, ContourType::closed_planar_xor)}};
  Structure marker{3, "Marker", "MARKER", std::array<int, 3>{0, 255, 0},
                   {{ContourType::point, {{1.125, -2.5, 100.75}}}}};
  Structure line{4, "Line", "", std::nullopt,
                 {{ContourType::open_planar, {{0, 0, 1.5}, {5, 5, 1.5}}},
                  {ContourType::open_nonplanar, {{0, 0, 0}, {1, 2, 3}, {4, 5, 6}}}}};
  Structure empty{7, "Empty", "ORGAN", std::nullopt, {}};
  s.structures = {ptv, ring, marker, line, empty};
  return s;
}

ReferencedSeries sample_images() { return {"1.2.3.100", "1.2.840.10008.5.1.4.1.1.2", {"1.2.3.100.1", "1.2.3.100.2"}}; }

void expect_same(const StructureSet& a, const StructureSet& b) {
  ASSERT_EQ(a.structures.size(), b.structures.size());
  for (std::size_t s = 0; s < a.structures.size(); ++s) {
    const auto &x = a.structures[s], &y = b.structures[s];
    EXPECT_EQ(x.roi_number, y.roi_number);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.interpreted_type, y.interpreted_type);
    if (x.color) EXPECT_EQ(x.color, y.color);
    ASSERT_EQ(x.contours.size(), y.contours.size()) << x.name;
    for (std::size_t c = 0; c < x.contours.size(); ++c) {
      EXPECT_EQ(x.contours[c].type, y.contours[c].type);
      EXPECT_EQ(x.contours[c].points, y.contours[c].points);  // short decimals: exact through DS text
    }
  }
}

class RtStructRoundTrip : public ::testing::TestWithParam<WriteFormat> {};

TEST_P(RtStructRoundTrip, EverythingPreserved) {
  ScratchDir dir;
  PatientStudy study;
  study.frame_of_reference_uid = "1.2.3.9";
  RtStructWriteOptions opt;
  opt.series.format = GetParam();
  const StructureSet truth = sample_set();
  auto uid = write_rtstruct(dir / "RS.dcm", study, truth, sample_images(), opt);
  ASSERT_TRUE(uid) << uid.error().message();
  auto read = read_rtstruct(dir / "RS.dcm");
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->sop_instance_uid, *uid);
  EXPECT_EQ(read->frame_of_reference_uid, "1.2.3.9");
  EXPECT_EQ(read->referenced_series_uid, "1.2.3.100");
  EXPECT_EQ(read->label, "SBRT_L3");
  expect_same(truth, *read);
  EXPECT_FALSE(read->structures[4].has_closed_contours());
}

INSTANTIATE_TEST_SUITE_P(Formats, RtStructRoundTrip,
                         ::testing::Values(WriteFormat{true, true}, WriteFormat{true, false},
                                           WriteFormat{false, true}, WriteFormat{false, false}));

class RtStructEdit : public ::testing::Test {
 protected:
  void SetUp() override {
    PatientStudy study;
    study.frame_of_reference_uid = "1.2.3.9";
    ASSERT_TRUE(write_rtstruct(file_, study, sample_set(), sample_images()));
  }
  ScratchDir dir_;
  std::filesystem::path file_ = dir_ / "RS.dcm";
};

TEST_F(RtStructEdit, MissingContourSequenceIsAnEmptyRoi) {
  testing::remove_attribute(file_, "(3006,0039)[0].(3006,0040)");
  auto read = read_rtstruct(file_);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(read->structures[0].contours.empty());
  EXPECT_EQ(read->structures[1].contours.size(), 2u);
}

TEST_F(RtStructEdit, FrameOfReferenceFromRoisWhenSetLevelIsAbsent) {
  testing::remove_attribute(file_, "(3006,0010)");
  testing::remove_attribute(file_, "(0020,0052)");
  auto read = read_rtstruct(file_);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->frame_of_reference_uid, "1.2.3.9");
  EXPECT_EQ(read->referenced_series_uid, "");
}

TEST_F(RtStructEdit, EmptyInterpretedTypeIsAccepted) {
  testing::remove_attribute(file_, "(3006,0080)[0].(3006,00A4)");
  auto read = read_rtstruct(file_);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->structures[0].interpreted_type, "");
}

TEST_F(RtStructEdit, MissingContourData) {
  testing::remove_attribute(file_, "(3006,0039)[0].(3006,0040)[1].(3006,0050)");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::missing_tag, file_, "(3006,0050) ContourData");
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("PTV_L3"));
}

TEST_F(RtStructEdit, PointCountDisagreesWithContourData) {
  testing::set_attribute(file_, "(3006,0039)[0].(3006,0040)[0].(3006,0046)", "5");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3006,0046) NumberOfContourPoints");
}

TEST_F(RtStructEdit, ContourDataNotTriplets) {
  testing::set_attribute(file_, "(3006,0039)[0].(3006,0040)[0].(3006,0050)", "1\\2\\3\\4");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3006,0050) ContourData");
}

TEST_F(RtStructEdit, UnknownGeometricType) {
  testing::set_attribute(file_, "(3006,0039)[0].(3006,0040)[0].(3006,0042)", "CIRCLE");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3006,0042) ContourGeometricType");
}

TEST_F(RtStructEdit, MissingRoiNumber) {
  testing::remove_attribute(file_, "(3006,0020)[2].(3006,0022)");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::missing_tag, file_, "(3006,0022) ROINumber");
}

TEST_F(RtStructEdit, MissingStructureSetRoiSequence) {
  testing::remove_attribute(file_, "(3006,0020)");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::missing_tag, file_, "(3006,0020) StructureSetROISequence");
}

TEST_F(RtStructEdit, WrongSopClass) {
  testing::set_attribute(file_, "(0008,0016)", "1.2.840.10008.5.1.4.1.1.481.2");
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(0008,0016) SOPClassUID");
}

TEST_F(RtStructEdit, Truncated) {
  testing::truncate_file(file_, 0.5);
  auto r = read_rtstruct(file_);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().tag.empty());  // the attribute where the stream breaks
  expect_error(r.error(), ErrorCode::io, file_, r.error().tag);
}

TEST(RtStructBad, OnePointClosedContour) {
  ScratchDir dir;
  StructureSet s = sample_set();
  s.structures[1].contours[1].points.resize(1);
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", PatientStudy{}, s, sample_images()));
  auto r = read_rtstruct(dir / "RS.dcm");
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, dir / "RS.dcm", "(3006,0050) ContourData");
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("Ring"));
}

TEST(RtStructBad, NanCoordinate) {
  ScratchDir dir;
  StructureSet s = sample_set();
  s.structures[0].contours[0].points[2].y = std::numeric_limits<double>::quiet_NaN();
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", PatientStudy{}, s, sample_images()));
  auto r = read_rtstruct(dir / "RS.dcm");
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, dir / "RS.dcm", "(3006,0050) ContourData");
}

TEST(RtStructBad, InfiniteCoordinateText) {
  ScratchDir dir;
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", PatientStudy{}, sample_set(), sample_images()));
  testing::set_attribute(dir / "RS.dcm", "(3006,0039)[2].(3006,0040)[0].(3006,0050)", "1\\inf\\3");
  auto r = read_rtstruct(dir / "RS.dcm");
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, dir / "RS.dcm", "(3006,0050) ContourData");
}

// Issue 20: one point at 1e30 mm gave a volume of -2,135,281 cc with exit 0; a contour at z = 1e9 mm
// allocated > 4 GiB; a square of 10^6 mm sampled for minutes. Coordinates beyond the plausible patient
// extent (geometry.h, +-10 m) are refused naming the file, the ROI, the contour item and the point.
TEST(RtStructBad, CoordinatesBeyondThePlausiblePatientExtent) {
  struct Case {
    const char* what;
    std::size_t point;
    PatientPoint at;
  };
  for (const Case& c : {Case{"1e30 mm", 2, {1e30, 9.5, 3}}, Case{"z = 1e9 mm", 0, {-9.5, -9.5, 1e9}},
                        Case{"10^6 mm square", 1, {1e6, -9.5, 3}}}) {
    SCOPED_TRACE(c.what);
    ScratchDir dir;
    StructureSet s = sample_set();
    s.structures[0].contours[1].points[c.point] = c.at;  // PTV_L3, second contour
    ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", PatientStudy{}, s, sample_images()));
    auto r = read_rtstruct(dir / "RS.dcm");
    ASSERT_FALSE(r);
    expect_error(r.error(), ErrorCode::bad_value, dir / "RS.dcm", "(3006,0050) ContourData");
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("ROI 1 'PTV_L3'"));
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("(3006,0040) ContourSequence item 2"));
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("point " + std::to_string(c.point + 1)));
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("+-10000 mm"));
  }
  // 9.99 m is still a coordinate (a table offset), and reads.
  ScratchDir dir;
  StructureSet s = sample_set();
  for (auto& p : s.structures[0].contours[1].points) p.z = 9990;
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", PatientStudy{}, s, sample_images()));
  EXPECT_TRUE(read_rtstruct(dir / "RS.dcm"));
}

TEST(RtStructBad, RepeatedFirstPointIsKept) {
  ScratchDir dir;
  StructureSet s = sample_set();
  auto& pts = s.structures[0].contours[0].points;
  pts.push_back(pts.front());
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", PatientStudy{}, s, sample_images()));
  auto r = read_rtstruct(dir / "RS.dcm");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->structures[0].contours[0].points.size(), 5u);
}

}  // namespace
}  // namespace sbrtkit
