// PET SUV from written DICOM: every branch of the calibration reached through the header reader, with
// tags edited after write_pet_series (DCMTK) to build each case. The written series carries
// 200 MBq F-18 (6586.2 s) injected at 09:00, scanned at 10:00 (3600 s), 80 kg. Hand computation:
//   decayed = 200e6 x 2^(-3600 / 6586.2) = 136,926,583.9 Bq,  factor = 80,000 g / decayed = 5.842547e-4.
// Activity is written with RescaleSlope = max / 32767 per slice, so a read-back value is within half a
// slope (max / 65534) of the input: SUV tolerance = factor x max / 65534 (+ float rounding).

#include "sbrtkit/dicom/pet_suv.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "dicom_test_util.h"
#include "support/dicom_fixtures.h"
#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;

constexpr double kMaxBqMl = 20000;

Volume<float> activity() {
  ImageGeometry g({4, 3, 5}, PatientPoint{-10, 20, -30}, Vec3{4, 4, 4}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  Volume<float> v(g);
  for (std::size_t n = 0; n < v.voxels.size(); ++n) v.voxels[n] = static_cast<float>(100.0 * double(n + 1));
  v.voxels[7] = static_cast<float>(kMaxBqMl);
  return v;
}

std::vector<std::filesystem::path> write_pet(const std::filesystem::path& dir, const PetWriteOptions& o = {}) {
  PatientStudy study;
  study.weight_kg = 80;
  auto w = write_pet_series(dir, study, activity(), o);
  EXPECT_TRUE(w) << w.error().message();
  return w ? w->files : std::vector<std::filesystem::path>{};
}

// Applies an edit to every file of the series and saves it in place (explicit VR little endian).
template <class F>
void edit_all(const std::vector<std::filesystem::path>& files, F f) {
  for (const auto& file : files) {
    DcmFileFormat ff;
    ASSERT_TRUE(ff.loadFile(file.c_str()).good());
    f(ff.getDataset());
    ASSERT_TRUE(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());
  }
}

void put_private_ds(DcmDataset* ds, Uint16 group, const char* creator, Uint16 element, const char* value) {
  ASSERT_TRUE(ds->putAndInsertString(DcmTag(group, 0x0010, EVR_LO), creator).good());
  auto* el = new DcmDecimalString(DcmTag(group, static_cast<Uint16>(0x1000 | element), EVR_DS));
  ASSERT_TRUE(el->putString(value).good());
  ASSERT_TRUE(ds->insert(el, true).good());
}

double bqml_factor(double uptake_s) { return 80000.0 / (200e6 * std::exp2(-uptake_s / 6586.2)); }

void expect_suv(const PetSuvSeries& pet, double factor) {
  const Volume<float> truth = activity();
  const double tol = factor * kMaxBqMl / 65534 + 1e-6 * factor * kMaxBqMl;
  ASSERT_EQ(pet.suv.voxels.size(), truth.voxels.size());
  for (std::size_t n = 0; n < truth.voxels.size(); ++n) ASSERT_NEAR(pet.suv.voxels[n], truth.voxels[n] * factor, tol) << n;
}

TEST(PetSuv, WrittenSeriesGivesTheHandComputedSuv) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  auto pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  // 5.842547e-4 from the header comment, to its 7 digits.
  EXPECT_NEAR(pet->calibration.factor, 5.842547e-4, 5e-11);
  EXPECT_NEAR(pet->calibration.factor, bqml_factor(3600), 1e-15);
  expect_suv(*pet, bqml_factor(3600));
  EXPECT_EQ(pet->tags.units, "BQML");
}

TEST(PetSuv, TimeOnlyStartAcrossMidnight) {
  ScratchDir dir;
  PetWriteOptions o;
  o.series_date = "20240102";
  o.series_time = "003000";
  o.radiopharmaceutical_start_datetime = "20240101233000";  // 1 h before, on the previous day
  auto files = write_pet(dir.path(), o);
  edit_all(files, [](DcmDataset* ds) {
    DcmItem* rp = nullptr;
    ASSERT_TRUE(ds->findAndGetSequenceItem(DCM_RadiopharmaceuticalInformationSequence, rp, 0).good());
    delete rp->remove(DCM_RadiopharmaceuticalStartDateTime);
  });
  auto pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_NEAR(*pet->calibration.uptake_s, 3600, 1e-9);
  expect_suv(*pet, bqml_factor(3600));
}

TEST(PetSuv, SeriesTimeAfterAcquisitionAndGePrivateScanTime) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  // Series re-created at 11:00; acquisition 10:00 stays the decay reference.
  edit_all(files, [](DcmDataset* ds) { ds->putAndInsertString(DCM_SeriesTime, "110000"); });
  auto pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_NEAR(*pet->calibration.uptake_s, 3600, 1e-9);
  // GE private scan start 10:30 (block 0x10 reserved by GEMS_PETD_01): 5400 s.
  edit_all(files, [](DcmDataset* ds) {
    ASSERT_TRUE(ds->putAndInsertString(DcmTag(0x0009, 0x0010, EVR_LO), "GEMS_PETD_01").good());
    ASSERT_TRUE(ds->putAndInsertString(DcmTag(0x0009, 0x100D, EVR_DT), "20240101103000").good());
  });
  pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_NEAR(*pet->calibration.uptake_s, 5400, 1e-9);
  expect_suv(*pet, bqml_factor(5400));
}

TEST(PetSuv, AdminDecayCorrection) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  edit_all(files, [](DcmDataset* ds) { ds->putAndInsertString(DCM_DecayCorrection, "ADMIN"); });
  auto pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  // 80,000 g / 200e6 Bq = 4e-4.
  EXPECT_NEAR(pet->calibration.factor, 4e-4, 1e-16);
  expect_suv(*pet, 4e-4);
}

TEST(PetSuv, PhilipsCountsWithPrivateFactors) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  edit_all(files, [](DcmDataset* ds) {
    ds->putAndInsertString(DCM_Units, "CNTS");
    put_private_ds(ds, 0x7053, "Philips PET Private Group", 0x00, "0.000125");
  });
  auto pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_DOUBLE_EQ(pet->calibration.factor, 0.000125);
  expect_suv(*pet, 0.000125);

  // Only the activity-concentration factor (3 Bq/ml per count): 3 x the BQML factor.
  edit_all(files, [](DcmDataset* ds) {
    delete ds->remove(DcmTagKey(0x7053, 0x1000));
    put_private_ds(ds, 0x7053, "Philips PET Private Group", 0x09, "3");
  });
  pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_NEAR(pet->calibration.factor, 3 * bqml_factor(3600), 1e-15);
}

TEST(PetSuv, GmlAndSul) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  edit_all(files, [](DcmDataset* ds) { ds->putAndInsertString(DCM_Units, "GML"); });
  auto pet = read_pet_suv(files, {});
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_EQ(pet->calibration.factor, 1.0);
  // SUL: male 80 kg, 1.8 m (PatientStudy defaults): LBM = 5080/81 kg; SUL = SUVbw x LBM / 80.
  pet = read_pet_suv(files, {}, SuvType::lean_body_mass);
  ASSERT_TRUE(pet) << pet.error().message();
  EXPECT_NEAR(pet->calibration.factor, 5080.0 / 81.0 / 80.0, 1e-14);
}

TEST(PetSuv, MissingTagsAreErrorsNamingTheTagAndFile) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  testing::remove_attribute(files[0], "0010,1030");
  auto pet = read_pet_suv(files, {});
  ASSERT_FALSE(pet);
  testing::expect_error(pet.error(), ErrorCode::missing_tag, files[0], "(0010,1030) PatientWeight");
  // --weight fills the gap.
  EXPECT_TRUE(read_pet_suv(files, {.weight_kg = 80}));

  testing::set_attribute(files[0], "0054,0016[0].0018,1074", "0");
  pet = read_pet_suv(files, {.weight_kg = 80});
  ASSERT_FALSE(pet);
  testing::expect_error(pet.error(), ErrorCode::bad_value, files[0], "(0018,1074) RadionuclideTotalDose");
  EXPECT_TRUE(read_pet_suv(files, {.weight_kg = 80, .injected_dose_bq = 200e6}));

  testing::set_attribute(files[0], "0054,0016[0].0018,1078", "20240101103000");
  pet = read_pet_suv(files, {.weight_kg = 80, .injected_dose_bq = 200e6});
  ASSERT_FALSE(pet);
  testing::expect_error(pet.error(), ErrorCode::bad_value, files[0], "(0018,1078) RadiopharmaceuticalStartDateTime");
  EXPECT_TRUE(read_pet_suv(files, {.weight_kg = 80, .injected_dose_bq = 200e6, .injection_time = "09:00"}));
}

TEST(PetSuv, UnitsMustAgreeAcrossFilesAndModalityMustBePet) {
  ScratchDir dir;
  auto files = write_pet(dir.path());
  testing::set_attribute(files[2], "0054,1001", "CNTS");
  auto pet = read_pet_suv(files, {});
  ASSERT_FALSE(pet);
  testing::expect_error(pet.error(), ErrorCode::inconsistent, files[2], "(0054,1001) Units");
  testing::set_attribute(files[2], "0054,1001", "BQML");
  testing::set_attribute(files[1], "0008,0060", "CT");
  pet = read_pet_suv(files, {});
  ASSERT_FALSE(pet);
  testing::expect_error(pet.error(), ErrorCode::bad_value, files[1], "(0008,0060) Modality");
}

}  // namespace
}  // namespace sbrtkit
