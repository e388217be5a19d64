#include "sbrtkit/dicom/rtdose.h"

#include <fstream>
#include <tuple>

#include "support/dicom_fixtures.h"
#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit {
namespace {

using testing::expect_error;
using testing::ScratchDir;
using Form = RtDoseWriteOptions::OffsetForm;
using Order = RtDoseWriteOptions::FrameOrder;

// form, order, bits, signed, meta header, explicit VR
using DoseCase = std::tuple<Form, Order, int, bool, bool, bool>;

class RtDoseRoundTrip : public ::testing::TestWithParam<DoseCase> {};

TEST_P(RtDoseRoundTrip, GeometryAndValuesExact) {
  const auto [form, order, bits, is_signed, meta, explicit_vr] = GetParam();
  ScratchDir dir;
  const ImageGeometry g = testing::reference_grid();
  // Step 0.001 Gy: stored integers n are reproduced exactly (|n| < 2^15), negative ones only when signed.
  const DoseVolume dose = testing::ramp(g, 0.001, is_signed ? -200 : 1000);
  RtDoseWriteOptions opt;
  opt.offset_form = form;
  opt.frame_order = order;
  opt.bits_allocated = bits;
  opt.signed_pixels = is_signed;
  // Negative values are an error estimate's (DoseType ERROR); a PHYSICAL grid with them is refused
  // (RtDoseBad.NegativeDosesFromASignedPixelRepresentation).
  if (is_signed) opt.dose_type = "ERROR";
  opt.series.format = {meta, explicit_vr};
  opt.dose_grid_scaling = 0.001;
  opt.referenced_plan_uid = "1.2.3.4";
  const auto file = dir / "RD.dcm";
  auto uid = write_rtdose(file, PatientStudy{}, dose, opt);
  ASSERT_TRUE(uid) << uid.error().message();

  auto read = read_rtdose(file);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->sop_instance_uid, *uid);
  EXPECT_EQ(read->referenced_plan_uid, "1.2.3.4");
  EXPECT_EQ(read->units, RtDose::Units::gy);
  EXPECT_EQ(read->dose_type, is_signed ? "ERROR" : "PHYSICAL");
  EXPECT_EQ(read->summation_type, "PLAN");
  const ImageGeometry& r = read->dose.geometry;
  EXPECT_EQ(r.axes()[0], (Vec3{1, 0, 0}));
  EXPECT_EQ(r.axes()[1], (Vec3{0, 1, 0}));
  // Decreasing offsets: frame index grows against the row x column normal, from the top slice.
  const bool increasing = order == Order::increasing;
  EXPECT_EQ(r.axes()[2], (Vec3{0, 0, increasing ? 1.0 : -1.0}));
  EXPECT_EQ(r.origin(), (PatientPoint{-10.5, 20.25, increasing ? -30.0 : -30.0 + 4 * 3.0}));
  EXPECT_EQ(r.spacing_mm(), (Vec3{2.5, 2.0, 3.0}));
  testing::expect_same_physical_values(dose, read->dose);
}

INSTANTIATE_TEST_SUITE_P(AllEncodings, RtDoseRoundTrip,
                         ::testing::Combine(::testing::Values(Form::relative, Form::absolute),
                                            ::testing::Values(Order::increasing, Order::decreasing),
                                            ::testing::Values(16, 32), ::testing::Bool(),
                                            ::testing::Values(true), ::testing::Values(true)));
INSTANTIATE_TEST_SUITE_P(Formats, RtDoseRoundTrip,
                         ::testing::Combine(::testing::Values(Form::relative), ::testing::Values(Order::increasing),
                                            ::testing::Values(32), ::testing::Values(false), ::testing::Bool(),
                                            ::testing::Bool()));

class RtDoseOrientation : public ::testing::TestWithParam<std::tuple<std::string, bool, Order>> {};

// The same physical dose grid written with the row/column cosines of each patient position, both
// slice orders in memory and both offset orders on disk, must read back with every voxel value at the
// same patient-space point; the corner voxels are checked explicitly.
TEST_P(RtDoseOrientation, SamePhysicalGrid) {
  const auto [position, reverse, order] = GetParam();
  ScratchDir dir;
  const ImageGeometry ref = testing::reference_grid();
  const DoseVolume truth = testing::ramp(ref, 0.001);
  const ImageGeometry g = testing::reoriented(ref, testing::orientation_for(position), reverse);
  const DoseVolume dose = testing::regrid(truth, g);
  RtDoseWriteOptions opt;
  opt.frame_order = order;
  opt.dose_grid_scaling = 0.001;
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", PatientStudy{}, dose, opt));
  auto read = read_rtdose(dir / "RD.dcm");
  ASSERT_TRUE(read) << read.error().message();
  const auto& rg = read->dose.geometry;
  const auto [row, column] = testing::orientation_for(position);
  EXPECT_EQ(rg.axes()[0], row);
  EXPECT_EQ(rg.axes()[1], column);
  testing::expect_same_physical_values(truth, read->dose);
  // Corners: the 8 corner voxel centres of the read grid are the 8 corners of the reference box.
  for (int c = 0; c < 8; ++c) {
    const PatientPoint p = rg.to_patient(VoxelIndex{(c & 1) ? rg.size()[0] - 1 : 0, (c & 2) ? rg.size()[1] - 1 : 0,
                                                    (c & 4) ? rg.size()[2] - 1 : 0});
    const IndexPoint q = ref.to_index(p);
    EXPECT_TRUE(std::abs(q.i) < 1e-9 || std::abs(q.i - 3) < 1e-9) << q.i;
    EXPECT_TRUE(std::abs(q.j) < 1e-9 || std::abs(q.j - 2) < 1e-9) << q.j;
    EXPECT_TRUE(std::abs(q.k) < 1e-9 || std::abs(q.k - 4) < 1e-9) << q.k;
  }
}

INSTANTIATE_TEST_SUITE_P(Positions, RtDoseOrientation,
                         ::testing::Combine(::testing::Values("HFS", "FFS", "HFP", "FFP", "HFDL", "HFDR", "FFDL", "FFDR"),
                                            ::testing::Bool(), ::testing::Values(Order::increasing, Order::decreasing)));

TEST(RtDose, RelativeUnitsAndComputedScaling) {
  ScratchDir dir;
  const DoseVolume dose = testing::ramp(testing::reference_grid(), 0.0137);
  RtDoseWriteOptions opt;
  opt.relative_units = true;
  opt.bits_allocated = 16;
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", PatientStudy{}, dose, opt));
  auto read = read_rtdose(dir / "RD.dcm");
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->units, RtDose::Units::relative);
  // Computed scaling = max / 65535; rounding to the nearest stored integer errs by at most half of it.
  const double max_value = *std::max_element(dose.voxels.begin(), dose.voxels.end());
  testing::expect_same_physical_values(dose, read->dose, 0.5 * max_value / 65535 * (1 + 1e-6) + 1e-6);
}

TEST(RtDose, SingleFrameNeedsNoOffsets) {
  ScratchDir dir;
  const ImageGeometry g({3, 2, 1}, PatientPoint{0, 0, 12.5}, Vec3{1, 1, 2.5}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  const DoseVolume dose = testing::ramp(g, 0.01);
  RtDoseWriteOptions opt;
  opt.dose_grid_scaling = 0.01;
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", PatientStudy{}, dose, opt));
  testing::remove_attribute(dir / "RD.dcm", "(3004,000C)");
  auto read = read_rtdose(dir / "RD.dcm");
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->dose.geometry.spacing_mm().z, 2.5);  // from SliceThickness
  testing::expect_same_physical_values(dose, read->dose);
}

// ---- bad input ------------------------------------------------------------------------------------

class RtDoseBad : public ::testing::Test {
 protected:
  void SetUp() override {
    RtDoseWriteOptions opt;
    opt.dose_grid_scaling = 0.001;
    ASSERT_TRUE(write_rtdose(file_, PatientStudy{}, testing::ramp(testing::reference_grid(), 0.001), opt));
  }
  ScratchDir dir_;
  std::filesystem::path file_ = dir_ / "RD.dcm";
};

TEST_F(RtDoseBad, MissingDoseGridScaling) {
  testing::remove_attribute(file_, "(3004,000E)");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::missing_tag, file_, "(3004,000E) DoseGridScaling");
}

TEST_F(RtDoseBad, MissingOffsetsWithSeveralFrames) {
  testing::remove_attribute(file_, "(3004,000C)");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::missing_tag, file_, "(3004,000C) GridFrameOffsetVector");
}

TEST_F(RtDoseBad, NonUniformOffsets) {
  testing::set_attribute(file_, "(3004,000C)", "0\\3\\6\\10\\12");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::unsupported, file_, "(3004,000C) GridFrameOffsetVector");
}

TEST_F(RtDoseBad, OffsetsNeitherRelativeNorAbsolute) {
  testing::set_attribute(file_, "(3004,000C)", "5\\8\\11\\14\\17");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3004,000C) GridFrameOffsetVector");
}

TEST_F(RtDoseBad, CentiGrayIsNotADicomTerm) {
  testing::set_attribute(file_, "(3004,0002)", "CGY");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3004,0002) DoseUnits");
}

TEST_F(RtDoseBad, NonOrthonormalOrientation) {
  testing::set_attribute(file_, "(0020,0037)", "1\\0\\0\\0.5\\1\\0");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(0020,0037) ImageOrientationPatient");
}

TEST_F(RtDoseBad, TooManyFramesForPixelData) {
  testing::set_attribute(file_, "(0028,0008)", "6");
  testing::set_attribute(file_, "(3004,000C)", "0\\3\\6\\9\\12\\15");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::io, file_, "(7FE0,0010) PixelData");
}

// Issue 20, random RTDOSE mutants: each damaged header field must be refused naming the file and the
// tag, never decoded into a grid of another shape or with impossible doses.
TEST_F(RtDoseBad, PixelDataLongerThanTheHeaderSays) {
  testing::set_attribute(file_, "(0028,0010)", "2");  // Rows 3 -> 2: 80 of the 120 words would be read
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::inconsistent, file_, "(7FE0,0010) PixelData");
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("160 bytes"));
}

TEST_F(RtDoseBad, FewerFramesThanOffsetsOrPixels) {
  testing::set_attribute(file_, "(0028,0008)", "4");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3004,000C) GridFrameOffsetVector");
  testing::set_attribute(file_, "(3004,000C)", "0\\3\\6\\9");
  auto p = read_rtdose(file_);
  ASSERT_FALSE(p);
  expect_error(p.error(), ErrorCode::inconsistent, file_, "(7FE0,0010) PixelData");
}

TEST_F(RtDoseBad, ScalingThatOverflowsOrIsNotPositive) {
  testing::set_attribute(file_, "(3004,000E)", "1e+300");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(3004,000E) DoseGridScaling");
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("finite doses"));
  for (const char* bad : {"0", "-0.001", "nan"}) {
    testing::set_attribute(file_, "(3004,000E)", bad);
    auto z = read_rtdose(file_);
    ASSERT_FALSE(z) << bad;
    expect_error(z.error(), ErrorCode::bad_value, file_, "(3004,000E) DoseGridScaling");
  }
}

TEST_F(RtDoseBad, NegativeDosesFromASignedPixelRepresentation) {
  // The ramp's stored words are 1000 + 7n (n < 60); read as 10-bit signed, 1000..1023 have the sign
  // bit 9 set and turn negative (-24..-1).
  testing::set_attribute(file_, "(0028,0103)", "1");
  testing::set_attribute(file_, "(0028,0101)", "10");
  testing::set_attribute(file_, "(0028,0102)", "9");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(7FE0,0010) PixelData");
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("doses >= 0"));
}

TEST_F(RtDoseBad, GridBeyondThePlausiblePatientExtent) {
  testing::set_attribute(file_, "(0020,0032)", "0\\0\\1000000000");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(0020,0032) ImagePositionPatient");
  testing::set_attribute(file_, "(0020,0032)", "-10.5\\20.25\\-30");
  testing::set_attribute(file_, "(0028,0030)", "2\\1e7");
  auto s = read_rtdose(file_);
  ASSERT_FALSE(s);
  expect_error(s.error(), ErrorCode::bad_value, file_, "(0028,0030) PixelSpacing");
  testing::set_attribute(file_, "(0028,0030)", "2\\2.5");
  testing::set_attribute(file_, "(3004,000C)", "0\\3e6\\6e6\\9e6\\12e6");
  auto g = read_rtdose(file_);
  ASSERT_FALSE(g);
  expect_error(g.error(), ErrorCode::bad_value, file_, "(3004,000C) GridFrameOffsetVector");
  testing::set_attribute(file_, "(0028,0008)", "4294967295");
  auto f = read_rtdose(file_);
  ASSERT_FALSE(f);
  expect_error(f.error(), ErrorCode::bad_value, file_, "(0028,0008) NumberOfFrames");
}

TEST_F(RtDoseBad, TruncatedInTheHeader) {
  testing::truncate_file(file_, 0.5);  // the pixel data is 240 bytes: half the file is header
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().tag.empty());
  expect_error(r.error(), ErrorCode::io, file_, r.error().tag);
}

TEST(RtDoseInput, TruncatedInThePixelData) {
  for (WriteFormat format : {WriteFormat{true, true}, WriteFormat{false, false}}) {
    ScratchDir dir;
    const ImageGeometry g({40, 40, 20}, PatientPoint{}, Vec3{2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
    RtDoseWriteOptions opt;
    opt.series.format = format;
    ASSERT_TRUE(write_rtdose(dir / "RD.dcm", PatientStudy{}, DoseVolume(g, 2.0f), opt));
    testing::truncate_file(dir / "RD.dcm", 0.9);  // 128 kB of pixels: the cut lands in PixelData
    auto r = read_rtdose(dir / "RD.dcm");
    ASSERT_FALSE(r);
    expect_error(r.error(), ErrorCode::io, dir / "RD.dcm", "(7FE0,0010) PixelData");
  }
}

TEST_F(RtDoseBad, WrongModality) {
  testing::set_attribute(file_, "(0008,0060)", "CT");
  auto r = read_rtdose(file_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::bad_value, file_, "(0008,0060) Modality");
}

TEST(RtDoseInput, NotDicom) {
  ScratchDir dir;
  const auto file = dir / "notes.txt";
  std::ofstream(file) << "this is a text file, not DICOM\n";
  auto r = read_rtdose(file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_dicom);
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr(file.string()));
}

TEST(RtDoseInput, MissingFile) {
  auto r = read_rtdose("/nonexistent/RD.dcm");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::io);
}

TEST(RtDoseWriter, RejectsAbsoluteFormForNonAxialOrientation) {
  ScratchDir dir;
  const ImageGeometry g = testing::reoriented(testing::reference_grid(), testing::orientation_for("FFS"));
  RtDoseWriteOptions opt;
  opt.offset_form = Form::absolute;
  auto r = write_rtdose(dir / "RD.dcm", PatientStudy{}, DoseVolume(g, 1.0f), opt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "RD.dcm"));
}

}  // namespace
}  // namespace sbrtkit
