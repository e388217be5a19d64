#include "sbrtkit/dicom/image_series.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <algorithm>
#include <random>

#include "support/dicom_fixtures.h"
#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit {
namespace {

using testing::expect_error;
using testing::ScratchDir;

/// Integer HU values in [-1000, 1000): stored = HU + 1024 fits unsigned 16 bits, so the round trip is exact.
Volume<float> hu_volume(const ImageGeometry& g) {
  Volume<float> v(g);
  for (std::size_t n = 0; n < v.voxels.size(); ++n) v.voxels[n] = float(long(n * 37 % 2000) - 1000);
  return v;
}

class CtOrientation : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

// The same physical CT written in each patient orientation (and both slice orders in memory) reads back
// with every value at the same patient-space point; the reader's k axis is always the normal.
TEST_P(CtOrientation, SamePhysicalValues) {
  const auto [position, reverse] = GetParam();
  ScratchDir dir;
  const ImageGeometry ref = testing::reference_grid();
  const Volume<float> truth = hu_volume(ref);
  const ImageGeometry g = testing::reoriented(ref, testing::orientation_for(position), reverse);
  CtWriteOptions opt;
  opt.patient_position = position;
  auto written = write_ct_series(dir.path(), PatientStudy{}, testing::regrid(truth, g), opt);
  ASSERT_TRUE(written) << written.error().message();
  ASSERT_EQ(written->files.size(), 5u);
  std::vector<std::filesystem::path> files = written->files;
  std::shuffle(files.begin(), files.end(), std::mt19937(42));
  auto read = read_image_series(files);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->modality, "CT");
  EXPECT_EQ(read->patient_position, position);
  EXPECT_EQ(read->series_instance_uid, written->series_instance_uid);
  const auto [row, column] = testing::orientation_for(position);
  EXPECT_EQ(read->geometry.axes()[0], row);
  EXPECT_EQ(read->geometry.axes()[1], column);
  EXPECT_EQ(read->geometry.axes()[2], cross(row, column));
  testing::expect_same_physical_values(truth, read->values);
  // Slice order follows the normal: SOP UIDs are the written ones, reversed when written against it.
  std::vector<std::string> expected = written->sop_instance_uids;
  if (reverse) std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(read->sop_instance_uids, expected);
}

INSTANTIATE_TEST_SUITE_P(Positions, CtOrientation,
                         ::testing::Combine(::testing::Values("HFS", "FFS", "HFP", "FFP", "HFDL", "HFDR"),
                                            ::testing::Bool()));

TEST(CtSeries, ImplicitVrWithoutMetaAndHeadersOnly) {
  ScratchDir dir;
  const ImageGeometry g = testing::reference_grid();
  CtWriteOptions opt;
  opt.series.format = {false, false};
  opt.rescale_slope = 0.5;
  opt.rescale_intercept = -1000;
  Volume<float> hu(g);
  for (std::size_t n = 0; n < hu.voxels.size(); ++n) hu.voxels[n] = float(n) * 0.5f - 1000.0f;  // multiples of the slope
  auto written = write_ct_series(dir.path(), PatientStudy{}, hu, opt);
  ASSERT_TRUE(written) << written.error().message();
  auto read = read_image_series(written->files);
  ASSERT_TRUE(read) << read.error().message();
  testing::expect_same_physical_values(hu, read->values);
  auto header = read_image_series(written->files, false);
  ASSERT_TRUE(header) << header.error().message();
  EXPECT_TRUE(header->values.voxels.empty());
  EXPECT_TRUE(header->geometry.same_grid(g, 1e-9));
}

TEST(PetSeries, ValuesWithinHalfASlopeAndSuvTags) {
  ScratchDir dir;
  const ImageGeometry g = testing::reference_grid();
  Volume<float> activity(g);
  for (std::size_t n = 0; n < activity.voxels.size(); ++n) activity.voxels[n] = 1000.0f + 1234.5f * float(n);
  PatientStudy study;
  study.weight_kg = 72.5;
  auto written = write_pet_series(dir.path(), study, activity);
  ASSERT_TRUE(written) << written.error().message();
  auto read = read_image_series(written->files);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->modality, "PT");
  // Per-slice slope <= max / 32767 over the whole volume; rounding errs by at most half a slope
  // (plus float rounding of values ~1e5, 1e-2 relative slack is far above it).
  const double max_value = *std::max_element(activity.voxels.begin(), activity.voxels.end());
  testing::expect_same_physical_values(activity, read->values, 0.5 * max_value / 32767 * 1.01);

  DcmFileFormat ff;
  ASSERT_TRUE(ff.loadFile(written->files.front().string().c_str()).good());
  DcmDataset* ds = ff.getDataset();
  OFString s;
  EXPECT_TRUE(ds->findAndGetOFString(DCM_Units, s).good() && s == "BQML");
  EXPECT_TRUE(ds->findAndGetOFString(DCM_DecayCorrection, s).good() && s == "START");
  EXPECT_TRUE(ds->findAndGetOFStringArray(DCM_CorrectedImage, s).good() && s == "ATTN\\DECY");
  EXPECT_TRUE(ds->findAndGetOFString(DCM_PatientWeight, s).good() && s == "72.5");
  DcmItem* rp = nullptr;
  ASSERT_TRUE(ds->findAndGetSequenceItem(DCM_RadiopharmaceuticalInformationSequence, rp, 0).good());
  EXPECT_TRUE(rp->findAndGetOFString(DCM_RadiopharmaceuticalStartDateTime, s).good() && s == "20240101090000");
  EXPECT_TRUE(rp->findAndGetOFString(DCM_RadionuclideTotalDose, s).good() && s == "200000000");
  EXPECT_TRUE(rp->findAndGetOFString(DCM_RadionuclideHalfLife, s).good() && s == "6586.2");
}

// Issue 20: a PET with RescaleSlope 0 was read with exit 0 (every voxel became the intercept). A zero,
// negative or NaN slope is refused naming the slice file and (0028,1053); headers-only reading skips pixels
// and is not affected.
TEST(PetSeries, NonPositiveRescaleSlopeIsRefusedNamingFileAndTag) {
  for (const char* slope : {"0", "-1.5"}) {
    ScratchDir dir;
    Volume<float> activity(testing::reference_grid(), 5000.0f);
    auto written = write_pet_series(dir.path(), PatientStudy{}, activity);
    ASSERT_TRUE(written) << written.error().message();
    testing::set_attribute(written->files[1], "(0028,1053)", slope);
    auto r = read_image_series(written->files);
    ASSERT_FALSE(r) << "slope " << slope << " accepted";
    expect_error(r.error(), ErrorCode::bad_value, written->files[1], "(0028,1053) RescaleSlope");
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("positive rescale slope")) << r.error().message();
  }
}

class CtBad : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = write_ct_series(dir_.path(), PatientStudy{}, hu_volume(testing::reference_grid()));
    ASSERT_TRUE(w);
    files_ = w->files;
  }
  ScratchDir dir_;
  std::vector<std::filesystem::path> files_;
};

TEST_F(CtBad, NonUniformSpacing) {
  testing::set_attribute(files_[2], "(0020,0032)", "-10.5\\20.25\\-23");  // 7 mm instead of 6 from slice 0
  auto r = read_image_series(files_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unsupported) << r.error().message();
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("(0020,0032) ImagePositionPatient"));
}

TEST_F(CtBad, DuplicateSlicePosition) {
  testing::set_attribute(files_[2], "(0020,0032)", "-10.5\\20.25\\-27");
  auto r = read_image_series(files_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::inconsistent) << r.error().message();
}

TEST_F(CtBad, MixedSeries) {
  testing::set_attribute(files_[3], "(0020,000E)", "1.2.3.999");
  auto r = read_image_series(files_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::inconsistent, files_[3], "(0020,000E) SeriesInstanceUID");
}

TEST_F(CtBad, MissingPixelSpacing) {
  testing::remove_attribute(files_[1], "(0028,0030)");
  auto r = read_image_series(files_);
  ASSERT_FALSE(r);
  expect_error(r.error(), ErrorCode::missing_tag, files_[1], "(0028,0030) PixelSpacing");
}

TEST_F(CtBad, TruncatedSlice) {
  testing::truncate_file(files_[4], 0.6);
  auto r = read_image_series(files_);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().tag.empty());  // the attribute where the stream breaks
  expect_error(r.error(), ErrorCode::io, files_[4], r.error().tag);
}

}  // namespace
}  // namespace sbrtkit
