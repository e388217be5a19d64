// SUV calibration, one hand-computed case per branch of the QIBA pseudocode (sbrt-domain.md section 6).
// Inputs are chosen so that the decay is a whole number of half-lives, which makes every expected
// factor a short exact decimal: e.g. 200 MBq, one half-life of uptake -> 100 MBq at scan start, 70 kg ->
// 70,000 g / 1e8 Bq = 7e-4 ml/Bq. The only arithmetic between inputs and result is an exp2, a product
// and a quotient, so the factors are compared to 1e-12 relative.

#include "sbrtkit/suv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace sbrtkit {
namespace {

using ::testing::HasSubstr;

double rel(double truth) { return 1e-12 * std::abs(truth); }

// BQML, START, full start date-time, uptake exactly one half-life (6000 s).
PetSuvTags bqml_tags() {
  PetSuvTags t;
  t.file = "PT_0000.dcm";
  t.units = "BQML";
  t.decay_correction = "START";
  t.corrected_image = "NORM\\DTIM\\ATTN\\SCAT\\DECY";
  t.series_date = "20240101";
  t.series_time = "104000";
  t.acquisition_date = "20240101";
  t.acquisition_time = "104000";
  t.start_datetime = "20240101090000";  // 1 h 40 min = 6000 s before the scan
  t.start_time = "090000";
  t.total_dose_bq = 200e6;
  t.half_life_s = 6000;
  t.weight_kg = 70;
  t.height_m = 1.8;
  t.sex = "M";
  return t;
}

TEST(SuvDateTime, ParsesDicomForms) {
  // 1970-01-02 is day 1: 86400 s; 01:02:03.5 adds 3723.5 s.
  EXPECT_DOUBLE_EQ(*dicom_date_time_seconds("19700102", "010203.5"), 86400 + 3723.5);
  EXPECT_DOUBLE_EQ(*dicom_date_time_seconds("19700102", "01:02:03"), 86400 + 3723);
  EXPECT_DOUBLE_EQ(*dicom_date_time_seconds("19700101", "0102"), 3720);
  EXPECT_DOUBLE_EQ(*dicom_datetime_seconds("19700102010203.25+0100"), 86400 + 3723.25);
  // 2024-01-01 is 19723 days after 1970-01-01 (54 years, 13 leap days: 54 * 365 + 13).
  EXPECT_DOUBLE_EQ(*dicom_date_time_seconds("20240101", "000000"), 19723.0 * 86400);
  EXPECT_FALSE(dicom_date_time_seconds("2024011", "000000"));
  EXPECT_FALSE(dicom_date_time_seconds("20240101", "256000"));
  EXPECT_FALSE(dicom_datetime_seconds("202401"));
}

TEST(Suv, BqmlStartWithStartDateTime) {
  auto cal = suv_calibration(bqml_tags(), {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  // 200 MBq x 2^-1 = 100 MBq at scan start; 70 kg = 70,000 g -> 7e-4 g/Bq.
  EXPECT_NEAR(*cal->uptake_s, 6000, 1e-9);
  EXPECT_NEAR(*cal->decayed_dose_bq, 100e6, rel(100e6));
  EXPECT_NEAR(cal->factor, 7e-4, rel(7e-4));
  // 10,000 Bq/ml -> SUV 7.
  Volume<float> v(ImageGeometry({1, 1, 1}, {}, {1, 1, 1}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}), 10000.f);
  EXPECT_NEAR(apply_suv(v, *cal).voxels[0], 7.0f, 7.0 * 1e-7);  // float rounding of the product
}

TEST(Suv, BqmlStartTimeOnlyUsesTheSeriesDate) {
  PetSuvTags t = bqml_tags();
  t.start_datetime.clear();
  auto cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(cal->factor, 7e-4, rel(7e-4));
}

TEST(Suv, TimeOnlyStartCrossingMidnight) {
  // Injected 23:50 on Jan 1, scanned 01:30 on Jan 2: 100 min = 6000 s, one half-life.
  PetSuvTags t = bqml_tags();
  t.start_datetime.clear();
  t.start_time = "235000";
  t.series_date = t.acquisition_date = "20240102";
  t.series_time = t.acquisition_time = "013000";
  auto cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(*cal->uptake_s, 6000, 1e-9);
  EXPECT_NEAR(cal->factor, 7e-4, rel(7e-4));
  EXPECT_THAT(::testing::PrintToString(cal->notes), HasSubstr("midnight"));
}

TEST(Suv, SeriesTimeAfterAcquisitionUsesTheAcquisition) {
  // Series re-created at 12:00 from an acquisition that started 10:40: the decay runs to 10:40.
  PetSuvTags t = bqml_tags();
  t.series_time = "120000";
  auto cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(*cal->uptake_s, 6000, 1e-9);
  EXPECT_NEAR(cal->factor, 7e-4, rel(7e-4));
  // With the GE private scan date-time 12:20 (09:00 + 3 h 20 min = 12,000 s, two half-lives):
  // 200 MBq x 2^-2 = 50 MBq, 70,000 g / 5e7 Bq = 1.4e-3.
  t.series_time = "130000";
  t.ge_scan_datetime = "20240101122000";
  cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(*cal->uptake_s, 12000, 1e-9);
  EXPECT_NEAR(cal->factor, 1.4e-3, rel(1.4e-3));
}

TEST(Suv, DecayCorrectedToAdministration) {
  // ADMIN: the injected 200 MBq is the reference, no decay: 70,000 / 2e8 = 3.5e-4.
  PetSuvTags t = bqml_tags();
  t.decay_correction = "ADMIN";
  t.half_life_s.reset();  // not needed without a decay
  auto cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(cal->factor, 3.5e-4, rel(3.5e-4));
  EXPECT_FALSE(cal->uptake_s);
}

TEST(Suv, PhilipsCounts) {
  PetSuvTags t = bqml_tags();
  t.units = "CNTS";
  t.philips_suv_scale = 0.00123;  // SUVbw = counts x 0.00123, whatever the other tags say
  auto cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_DOUBLE_EQ(cal->factor, 0.00123);

  // Activity concentration factor 2.5 Bq/ml per count, then the BQML factor 7e-4: 1.75e-3.
  t.philips_suv_scale.reset();
  t.philips_activity_scale = 2.5;
  cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(cal->factor, 1.75e-3, rel(1.75e-3));

  t.philips_activity_scale.reset();
  auto bad = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::unsupported);
  EXPECT_THAT(bad.error().message(), HasSubstr("(0054,1001) Units"));
}

TEST(Suv, GmlIsAlreadySuv) {
  PetSuvTags t;
  t.units = "GML";
  auto cal = suv_calibration(t, {}, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_EQ(cal->factor, 1.0);
}

TEST(Suv, LeanBodyMassJames) {
  // Male, 80 kg, 180 cm: LBM = 1.10 x 80 - 128 (80/180)^2 = 88 - 128 x 16/81 = 88 - 2048/81 = 5080/81 kg.
  const double lbm_m = 5080.0 / 81.0;
  EXPECT_NEAR(*james_lbm_kg(80, 180, "M"), lbm_m, rel(lbm_m));
  // Female, 60 kg, 160 cm: 1.07 x 60 - 148 (60/160)^2 = 64.2 - 148 x 0.140625 = 64.2 - 20.8125 = 43.3875.
  EXPECT_NEAR(*james_lbm_kg(60, 160, "F"), 43.3875, rel(43.3875));
  EXPECT_FALSE(james_lbm_kg(60, 160, "O"));

  PetSuvTags t = bqml_tags();
  t.weight_kg = 80;
  auto cal = suv_calibration(t, {}, SuvType::lean_body_mass);
  ASSERT_TRUE(cal) << cal.error().message();
  // LBM in g over the decayed 100 MBq.
  EXPECT_NEAR(cal->factor, lbm_m * 1000 / 100e6, rel(lbm_m * 1e-5));
  // GML images hold SUVbw: SUL = SUVbw x LBM / W.
  t.units = "GML";
  cal = suv_calibration(t, {}, SuvType::lean_body_mass);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(cal->factor, lbm_m / 80, rel(1.0));

  t.units = "BQML";
  t.height_m.reset();
  auto bad = suv_calibration(t, {}, SuvType::lean_body_mass);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("(0010,1020) PatientSize"));
  // The override fills the gap: 1.8 m.
  SuvOverrides o;
  o.height_m = 1.8;
  EXPECT_TRUE(suv_calibration(t, o, SuvType::lean_body_mass));
}

TEST(Suv, OverridesReplaceTheHeader) {
  PetSuvTags t = bqml_tags();
  SuvOverrides o;
  // 35 kg, 400 MBq injected at 07:20, 3 h 20 min = 12,000 s = two half-lives before the 10:40 scan:
  // 400 MBq / 4 = 100 MBq at scan start, 35,000 g / 1e8 Bq = 3.5e-4.
  o.weight_kg = 35;
  o.injected_dose_bq = 400e6;
  o.injection_time = "07:20";
  auto cal = suv_calibration(t, o, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(*cal->uptake_s, 12000, 1e-9);
  EXPECT_NEAR(cal->factor, 3.5e-4, rel(3.5e-4));
  o.injection_time = "2024-01-01T07:20:00";
  cal = suv_calibration(t, o, SuvType::body_weight);
  ASSERT_TRUE(cal) << cal.error().message();
  EXPECT_NEAR(cal->factor, 3.5e-4, rel(3.5e-4));
  // An override fixes a missing header value.
  t.weight_kg.reset();
  EXPECT_TRUE(suv_calibration(t, {.weight_kg = 70}, SuvType::body_weight));
}

void expect_error_names(const PetSuvTags& t, const SuvOverrides& o, ErrorCode code, const std::string& tag) {
  auto cal = suv_calibration(t, o, SuvType::body_weight);
  ASSERT_FALSE(cal) << tag;
  EXPECT_EQ(cal.error().code, code) << cal.error().message();
  EXPECT_THAT(cal.error().message(), HasSubstr(tag));
}

TEST(Suv, MissingOrImplausibleTagsAreErrorsNamingTheTag) {
  PetSuvTags t = bqml_tags();
  t.weight_kg.reset();
  expect_error_names(t, {}, ErrorCode::missing_tag, "(0010,1030) PatientWeight");
  t.weight_kg = 0;  // "0" is how many scanners write an unknown weight
  expect_error_names(t, {}, ErrorCode::missing_tag, "(0010,1030) PatientWeight");
  t.weight_kg = 80000;  // grams
  expect_error_names(t, {}, ErrorCode::bad_value, "(0010,1030) PatientWeight");

  t = bqml_tags();
  t.total_dose_bq = 0;
  expect_error_names(t, {}, ErrorCode::bad_value, "(0018,1074) RadionuclideTotalDose");
  t.total_dose_bq.reset();
  expect_error_names(t, {}, ErrorCode::missing_tag, "(0018,1074) RadionuclideTotalDose");

  t = bqml_tags();
  t.start_datetime = "20240101110000";  // after the 10:40 scan
  expect_error_names(t, {}, ErrorCode::bad_value, "(0018,1078) RadiopharmaceuticalStartDateTime");
  t.start_datetime.clear();
  t.start_time = "104500";  // time only, 5 min after the scan: not a 23 h 55 min uptake
  expect_error_names(t, {}, ErrorCode::bad_value, "(0018,1072) RadiopharmaceuticalStartTime");
  t.start_time.clear();
  expect_error_names(t, {}, ErrorCode::missing_tag, "(0018,1078)");

  t = bqml_tags();
  t.half_life_s.reset();
  expect_error_names(t, {}, ErrorCode::missing_tag, "(0018,1075) RadionuclideHalfLife");
  t = bqml_tags();
  t.corrected_image = "ATTN\\SCAT";
  expect_error_names(t, {}, ErrorCode::bad_value, "(0028,0051) CorrectedImage");
  t = bqml_tags();
  t.decay_correction = "NONE";
  expect_error_names(t, {}, ErrorCode::unsupported, "(0054,1102) DecayCorrection");
  t = bqml_tags();
  t.units = "PROPCNTS";
  expect_error_names(t, {}, ErrorCode::unsupported, "(0054,1001) Units");
  t = bqml_tags();
  t.series_date.clear();
  t.acquisition_date.clear();
  expect_error_names(t, {}, ErrorCode::missing_tag, "SeriesDate");

  t = bqml_tags();
  expect_error_names(t, {.weight_kg = -3}, ErrorCode::bad_argument, "--weight");
  expect_error_names(t, {.injection_time = "11:00"}, ErrorCode::bad_value, "--injection-time");
  expect_error_names(t, {.injection_time = "9h"}, ErrorCode::bad_value, "--injection-time");
}

}  // namespace
}  // namespace sbrtkit
