// `sbrtkit dvh` end to end: analytic plans written as real DICOM by the test, run through the binary,
// compared with the closed form; and every bad-input case gives exit code 2, a message naming the file
// and the tag or token, and no output file.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sbrtkit/dicom/rt_writer.h"
#include "support/analytic_phantom.h"
#include "support/cli_runner.h"
#include "support/dicom_fixtures.h"

namespace sbrtkit {
namespace {

using nlohmann::json;
using testing::AnalyticDvh;
using testing::DoseModel;
using testing::Gradient;
using testing::run_sbrtkit;
using testing::Shape;
using testing::Solid;
using testing::TempDir;

struct PlanFiles {
  std::filesystem::path rtstruct, rtdose, rtplan;
};

/// A sphere target (R 12 mm, contours every 2 mm) in a 1 Gy/mm z-gradient around 30 Gy, a body
/// cylinder around it, and an RTPLAN prescribing 30 Gy in 3 fractions.
PlanFiles write_sphere_plan(const std::filesystem::path& dir, const RtDoseWriteOptions& dose_options = {},
                            std::array<Vec3, 3> dose_axes = {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}},
                            const std::string& structure_frame = "") {
  PatientStudy study;
  study.uid_seed = "dvh-test";
  const Solid sphere{Shape::sphere, 12, 24, {5, -3, 40}};
  const Solid body{Shape::cylinder, 20, 36, {5, -3, 40}};  // dose grid z within +-24 mm: 6..54 Gy
  const DoseModel model{Gradient::along_z, 30, 1, sphere.centre};
  StructureSet set;
  set.frame_of_reference_uid = structure_frame;
  set.structures.push_back(testing::contour_solid(body, 2, 1, "BODY"));
  set.structures.back().interpreted_type = "EXTERNAL";
  set.structures.push_back(testing::contour_solid(sphere, 2, 2, "PTV_L3"));
  PlanFiles files{dir / "RS.dcm", dir / "RD.dcm", dir / "RP.dcm"};
  auto structure_uid = write_rtstruct(files.rtstruct, study, set, {});
  EXPECT_TRUE(structure_uid) << structure_uid.error().message();
  PlanInfo plan;
  plan.label = "L3 SBRT";
  plan.fractions = 3;
  plan.referenced_structure_set_uid = *structure_uid;
  plan.dose_references.push_back({1, "PTV_L3", "VOLUME", "TARGET", 2, 30.0});
  auto plan_uid = write_rtplan(files.rtplan, study, plan);
  EXPECT_TRUE(plan_uid) << plan_uid.error().message();
  RtDoseWriteOptions options = dose_options;
  options.referenced_plan_uid = *plan_uid;
  auto dose_uid = write_rtdose(files.rtdose, study, testing::make_dose_grid(body, model, 2, 0.5, 4, dose_axes), options);
  EXPECT_TRUE(dose_uid) << dose_uid.error().message();
  return files;
}

json run_json(const std::vector<std::string>& arguments) {
  auto args = arguments;
  args.insert(args.begin(), "dvh");
  args.insert(args.end(), {"--format", "json"});
  auto result = run_sbrtkit(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return json::parse(result.out);
}

const json& structure_named(const json& report, const std::string& name) {
  for (const auto& s : report["structures"])
    if (s["name"] == name) return s;
  static const json none;
  ADD_FAILURE() << "no structure " << name;
  return none;
}

TEST(DvhCommand, SphereInLinearGradientMatchesTheClosedFormThroughDicom) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  const json report = run_json({"--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--rtplan", f.rtplan, "--metrics",
                                "Volume[cc],Mean[Gy],D95%[Gy],D2cc[cGy],V30Gy[%],V100%[%],D95%[%],Max[Gy]"});
  EXPECT_EQ(report["prescription_gy"], 30.0);
  const json& ptv = structure_named(report, "PTV_L3");
  const Solid sphere{Shape::sphere, 12, 24, {5, -3, 40}};
  const AnalyticDvh truth(sphere, DoseModel{Gradient::along_z, 30, 1, sphere.centre});
  const json& m = ptv["metrics"];
  // Contoured every 2 mm, the stack overestimates a 12 mm sphere by the midpoint rule, (h^2/4)/R^2 =
  // 0.7% in volume; doses move by less than 0.2 Gy (a fraction of a slab in a 1 Gy/mm gradient).
  EXPECT_NEAR(m["Volume[cc]"].get<double>(), truth.volume_cc(), 0.008 * truth.volume_cc());
  EXPECT_NEAR(m["Mean[Gy]"].get<double>(), truth.mean_gy(), 0.05);
  EXPECT_NEAR(m["D95%[Gy]"].get<double>(), truth.dose_at_percent(95), 0.2);
  EXPECT_NEAR(m["D2cc[cGy]"].get<double>(), 100 * truth.dose_at_volume_cc(2), 20);
  // Half of a sphere centred at 30 Gy is above 30 Gy, in both the absolute and the Rx-relative form.
  EXPECT_NEAR(m["V30Gy[%]"].get<double>(), 50, 0.5);
  EXPECT_NEAR(m["V100%[%]"].get<double>(), 50, 0.5);
  EXPECT_NEAR(m["D95%[%]"].get<double>(), 100 * m["D95%[Gy]"].get<double>() / 30, 1e-9);
  EXPECT_NEAR(m["Max[Gy]"].get<double>(), 42, 0.01);
  EXPECT_EQ(ptv["coverage"], 1.0);
}

TEST(DvhCommand, CurvesAreCumulativeAndDifferentialInCcAndPercent) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  const json report =
      run_json({"--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--roi", "PTV_L3", "--dvh-curves", "--curve-step", "0.5"});
  const json& ptv = structure_named(report, "PTV_L3");
  const json& dvh = ptv["dvh"];
  const auto dose = dvh["dose_gy"].get<std::vector<double>>();
  const auto cc = dvh["volume_cc"].get<std::vector<double>>();
  const auto pct = dvh["volume_pct"].get<std::vector<double>>();
  ASSERT_GT(dose.size(), 80u);  // 0 .. 42 Gy every 0.5 Gy
  EXPECT_NEAR(cc.front(), ptv["volume_cc"].get<double>(), 1e-9);
  EXPECT_NEAR(pct.front(), 100, 1e-9);
  EXPECT_EQ(cc.back(), 0.0);
  for (std::size_t i = 1; i < cc.size(); ++i) EXPECT_LE(cc[i], cc[i - 1]);
  // The sphere is centred at 30 Gy in a linear gradient: half its volume lies above 30 Gy.
  const auto at_30 = std::size_t(std::find(dose.begin(), dose.end(), 30.0) - dose.begin());
  ASSERT_LT(at_30, dose.size());
  EXPECT_NEAR(pct[at_30], 50, 0.5);
  // Differential bins add up to the covered volume.
  double total = 0;
  for (double v : dvh["differential"]["volume_cc"].get<std::vector<double>>()) total += v;
  EXPECT_NEAR(total, ptv["volume_cc"].get<double>(), 1e-6);
}

TEST(DvhCommand, EachTargetUsesItsOwnPrescriptionForRelativeMetrics) {
  // Two targets in a uniform 27 Gy: PTV_A prescribed 30 Gy (V100% = 0), PTV_B 24 Gy (V100% = 100%);
  // the unreferenced BODY uses the plan's largest, 30 Gy; --rx overrides all.
  TempDir dir;
  PatientStudy study;
  const Solid a{Shape::sphere, 6, 12, {-20, 0, 0}}, b{Shape::sphere, 6, 12, {20, 0, 0}};
  const Solid body{Shape::cylinder, 40, 24, {0, 0, 0}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(body, 2, 1, "BODY"));
  set.structures.push_back(testing::contour_solid(a, 2, 2, "PTV_A"));
  set.structures.push_back(testing::contour_solid(b, 2, 3, "PTV_B"));
  auto rs = write_rtstruct(dir / "RS.dcm", study, set, {});
  ASSERT_TRUE(rs);
  PlanInfo plan;
  plan.label = "TWO";
  plan.fractions = 3;
  plan.referenced_structure_set_uid = *rs;
  plan.dose_references.push_back({1, "PTV_A", "VOLUME", "TARGET", 2, 30.0});
  plan.dose_references.push_back({2, "PTV_B", "VOLUME", "TARGET", 3, 24.0});
  ASSERT_TRUE(write_rtplan(dir / "RP.dcm", study, plan));
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", study, testing::make_dose_grid(body, DoseModel{Gradient::along_x, 27, 0, {}}, 3, 0)));
  const json report = run_json({dir.path().string(), "--metrics", "V100%[%]"});
  EXPECT_NEAR(structure_named(report, "PTV_A")["metrics"]["V100%[%]"].get<double>(), 0, 1e-9);
  EXPECT_NEAR(structure_named(report, "PTV_B")["metrics"]["V100%[%]"].get<double>(), 100, 1e-9);
  EXPECT_EQ(structure_named(report, "PTV_B")["prescription_gy"], 24.0);
  EXPECT_EQ(structure_named(report, "BODY")["prescription_gy"], 30.0);
  const json forced = run_json({dir.path().string(), "--metrics", "V100%[%]", "--rx", "20"});
  EXPECT_NEAR(structure_named(forced, "PTV_A")["metrics"]["V100%[%]"].get<double>(), 100, 1e-9);
}

TEST(DvhCommand, APerFractionDoseIsFlagged) {
  TempDir dir;
  RtDoseWriteOptions fraction;
  fraction.summation_type = "FRACTION";
  const PlanFiles f = write_sphere_plan(dir.path(), fraction);
  const json report = run_json({"--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--roi", "PTV_L3"});
  ASSERT_EQ(report["warnings"].size(), 1u);
  EXPECT_NE(report["warnings"][0].get<std::string>().find("DoseSummationType FRACTION"), std::string::npos);
}

TEST(DvhCommand, DoseGridOrientationAndFrameOrderDoNotChangeTheResult) {
  // HFS, FFS, HFP and decubitus dose grids, decreasing and absolute GridFrameOffsetVector, 16-bit:
  // same physical dose samples, so the same metrics (within the 16-bit quantisation: 42 Gy / 65535).
  struct Variant {
    std::string name;
    std::array<Vec3, 3> axes;
    RtDoseWriteOptions options;
  };
  RtDoseWriteOptions decreasing, absolute, sixteen;
  decreasing.frame_order = RtDoseWriteOptions::FrameOrder::decreasing;
  absolute.offset_form = RtDoseWriteOptions::OffsetForm::absolute;
  sixteen.bits_allocated = 16;
  const std::vector<Variant> variants = {
      {"HFS", {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}, {}},
      {"FFS", {Vec3{-1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}}, {}},
      {"HFP", {Vec3{-1, 0, 0}, Vec3{0, -1, 0}, Vec3{0, 0, 1}}, {}},
      {"HFDL", {Vec3{0, -1, 0}, Vec3{1, 0, 0}, Vec3{0, 0, 1}}, {}},
      {"HFS decreasing offsets", {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}, decreasing},
      {"HFS absolute offsets", {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}, absolute},
      {"HFS 16 bit", {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}, sixteen},
  };
  std::optional<json> reference;
  for (const auto& v : variants) {
    SCOPED_TRACE(v.name);
    TempDir dir;
    const PlanFiles f = write_sphere_plan(dir.path(), v.options, v.axes);
    const json report = run_json({"--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--roi", "PTV_L3"});
    const json& m = structure_named(report, "PTV_L3")["metrics"];
    if (!reference) {
      reference = m;
      continue;
    }
    for (const auto& [key, value] : m.items()) EXPECT_NEAR(value.get<double>(), (*reference)[key].get<double>(), 2e-3) << key;
  }
}

TEST(DvhCommand, FolderModeFindsThePlanAndWritesCsvAtomically) {
  TempDir dir;
  write_sphere_plan(dir.path());
  std::ofstream(dir / "notes.txt") << "not DICOM";
  const auto csv = dir / "out.csv";
  auto result = run_sbrtkit({"dvh", dir.path().string(), "--format", "csv", "-o", csv.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string text = testing::read_text(csv);
  EXPECT_EQ(text.rfind("roi_number,name,interpreted_type,volume_cc,coverage,prescription_gy,Volume[cc],Min[Gy]", 0), 0u) << text;
  EXPECT_NE(text.find("PTV_L3"), std::string::npos);
  EXPECT_NE(text.find("BODY"), std::string::npos);
}

TEST(DvhCommand, StructurePartlyOutsideTheGridWarnsOrFailsOnRequest) {
  TempDir dir;
  PatientStudy study;
  const Solid rod{Shape::cylinder, 5, 40, {0, 0, 10}};  // z from -10 to 30
  StructureSet set;
  set.structures.push_back(testing::contour_solid(rod, 2, 1, "Rectum"));
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", study, set, {}));
  const Solid grid_extent{Shape::cylinder, 8, 20, {0, 0, 0}};
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", study,
                           testing::make_dose_grid(grid_extent, DoseModel{Gradient::along_x, 10, 0, {}}, 2, 0, 4)));
  const json report = run_json({"--rtstruct", (dir / "RS.dcm").string(), "--rtdose", (dir / "RD.dcm").string()});
  const json& rectum = structure_named(report, "Rectum");
  // The grid reaches 10 + 4 mm from its centre: 7 voxels of 2 mm each side, so its cells cover
  // z in [-15, 15]; the rod spans [-10, 30], hence 25 of its 40 mm are covered.
  EXPECT_NEAR(rectum["coverage"].get<double>(), 25.0 / 40, 2e-3);
  EXPECT_FALSE(rectum["warnings"].empty());

  const auto out = dir / "never.json";
  auto strict = run_sbrtkit({"dvh", "--rtstruct", (dir / "RS.dcm").string(), "--rtdose", (dir / "RD.dcm").string(),
                             "--require-full-coverage", "-o", out.string()});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_NE(strict.err.find("outside the dose grid"), std::string::npos) << strict.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// ---- bad input: exit code 2, a message naming the file and the tag, nothing written ----

void expect_rejected(const std::vector<std::string>& arguments, const std::vector<std::string>& expected_fragments,
                     const std::filesystem::path& output) {
  auto args = arguments;
  args.insert(args.end(), {"-o", output.string()});
  auto result = run_sbrtkit(args);
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  for (const auto& fragment : expected_fragments) EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(output));
}

TEST(DvhCommandBadInput, TruncatedDoseFile) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  std::filesystem::resize_file(f.rtdose, std::filesystem::file_size(f.rtdose) / 2);
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose}, {f.rtdose.string()}, dir / "o.json");
}

TEST(DvhCommandBadInput, DoseAndStructuresInDifferentFramesOfReference) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path(), {}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}},
                                        "1.2.826.0.1.3680043.10.1234.999");
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose},
                  {f.rtdose.string(), "(0020,0052) FrameOfReferenceUID"}, dir / "o.json");
}

TEST(DvhCommandBadInput, ContourWithOnePoint) {
  TempDir dir;
  PatientStudy study;
  const Solid sphere{Shape::sphere, 6, 12, {}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(sphere, 2, 1, "GTV"));
  set.structures.back().contours.push_back({ContourType::closed_planar, {{0, 0, 7}}});
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", study, set, {}));
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", study, testing::make_dose_grid(sphere, DoseModel{}, 2, 0)));
  expect_rejected({"dvh", "--rtstruct", (dir / "RS.dcm").string(), "--rtdose", (dir / "RD.dcm").string()},
                  {"RS.dcm", "(3006,0050) ContourData"}, dir / "o.json");
}

TEST(DvhCommandBadInput, NanCoordinate) {
  TempDir dir;
  PatientStudy study;
  const Solid sphere{Shape::sphere, 6, 12, {}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(sphere, 2, 1, "GTV"));
  set.structures.back().contours[1].points[5].x = std::nan("");
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", study, set, {}));
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", study, testing::make_dose_grid(sphere, DoseModel{}, 2, 0)));
  expect_rejected({"dvh", "--rtstruct", (dir / "RS.dcm").string(), "--rtdose", (dir / "RD.dcm").string()},
                  {"RS.dcm", "(3006,0050) ContourData"}, dir / "o.json");
}

TEST(DvhCommand, ShapeBetweenPlanesReadsTheStackAsFrustumsWithTaperedCaps) {
  // --between-planes shape on the sphere plan (contours every 2 mm at z = +-1, +-3, ..., +-11 from the
  // centre). Concentric circles' signed distances interpolate to linearly varying radii, so between
  // planes the solid is a chain of frustums; beyond the end planes the radius keeps shrinking at the
  // rate of the last gap for up to half a gap (core/shape_interpolation.h). The hand computation of
  // that solid is the truth here, within the sampler's 0.2%.
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  const json report = run_json({"--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--rtplan", f.rtplan,
                                "--between-planes", "shape", "--metrics", "Volume[cc]"});
  const double pi = 3.14159265358979323846, h = 2;
  auto r = [](double z) { return std::sqrt(144 - z * z); };
  auto frustum = [&](double r0, double r1, double length) { return pi * length / 3 * (r0 * r0 + r0 * r1 + r1 * r1); };
  double mm3 = 0;
  for (double z = -11; z < 11; z += h) mm3 += frustum(r(z), r(z + h), h);
  const double shrink = (r(-9) - r(-11)) / h;                      // per mm beyond the end plane
  const double cap = std::min(h / 2, r(-11) / shrink);             // cut at half a gap, or closed earlier
  mm3 += 2 * frustum(r(-11), r(-11) - shrink * cap, cap);          // both ends (symmetric sphere)
  const double got = structure_named(report, "PTV_L3")["metrics"]["Volume[cc]"].get<double>();
  EXPECT_NEAR(got, mm3 / 1000, 0.002 * mm3 / 1000);
}

TEST(DvhCommandBadInput, UnknownBetweenPlanesModeNamesTheValue) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--between-planes", "wedge"},
                  {"--between-planes", "wedge"}, dir / "o.json");
}

// Issue 20: one point at 1e30 mm printed a volume of -2,135,281 cc with exit 0. Refused: exit 2, the file,
// the ROI and the contour item named, nothing written.
TEST(DvhCommandBadInput, CoordinateBeyondThePatientExtent) {
  TempDir dir;
  PatientStudy study;
  const Solid sphere{Shape::sphere, 6, 12, {}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(sphere, 2, 1, "GTV"));
  set.structures.back().contours[1].points[5].x = 1e30;
  ASSERT_TRUE(write_rtstruct(dir / "RS.dcm", study, set, {}));
  ASSERT_TRUE(write_rtdose(dir / "RD.dcm", study, testing::make_dose_grid(sphere, DoseModel{}, 2, 0)));
  expect_rejected({"dvh", "--rtstruct", (dir / "RS.dcm").string(), "--rtdose", (dir / "RD.dcm").string(), "--format", "json"},
                  {"RS.dcm", "(3006,0050) ContourData", "ContourSequence item 2", "GTV", "+-10000 mm"}, dir / "o.json");
}

TEST(DvhCommandBadInput, MalformedMetricNamesTheToken) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--metrics", "D95%[Gy],V20Gz[cc]"},
                  {"V20Gz[cc]", "Gz"}, dir / "o.json");
}

TEST(DvhCommandBadInput, RelativeDoseWithoutPrescription) {
  TempDir dir;
  RtDoseWriteOptions relative;
  relative.relative_units = true;
  const PlanFiles f = write_sphere_plan(dir.path(), relative);
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose}, {"(3004,0002) DoseUnits"},
                  dir / "o.json");
  // With a prescription it is accepted, and the note says how it was read.
  auto ok = run_sbrtkit({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--rx", "1", "--format", "json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("RELATIVE"), std::string::npos);
}

TEST(DvhCommandBadInput, UnknownRoiListsTheAvailableOnes) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose, "--roi", "PTV_XX"}, {"PTV_XX", "PTV_L3"},
                  dir / "o.json");
}

TEST(DvhCommandBadInput, MissingRequiredTag) {
  // DoseGridScaling removed with DCMTK's dcmodify, as a broken exporter would leave it.
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  const std::string erase = "dcmodify -nb -ea '(3004,000e)' '" + f.rtdose.string() + "' > /dev/null 2>&1";
  if (std::system(erase.c_str()) != 0) GTEST_SKIP() << "dcmodify (package dcmtk) not available";
  expect_rejected({"dvh", "--rtstruct", f.rtstruct, "--rtdose", f.rtdose}, {f.rtdose.string(), "(3004,000E)"},
                  dir / "o.json");
}

TEST(DvhCommandBadInput, NotDicomAtAll) {
  TempDir dir;
  const PlanFiles f = write_sphere_plan(dir.path());
  std::ofstream(dir / "fake.dcm") << "hello";
  expect_rejected({"dvh", "--rtstruct", (dir / "fake.dcm").string(), "--rtdose", f.rtdose}, {"fake.dcm"},
                  dir / "o.json");
}


// Issue 20: a Latin-1 ROI or patient name (SpecificCharacterSet ISO_IR 100, ordinary in European clinics)
// used to abort `dvh --format json`, `check` and `batch` with an uncaught nlohmann::json type_error 316.
// The names are written as raw Latin-1 bytes (0xF6 o umlaut, 0xFC u umlaut) and must come out as UTF-8.
TEST(DvhCommand, Latin1NamesAreDecodedIntoEveryJsonOutput) {
  TempDir dir;
  const auto files = write_sphere_plan(dir.path());
  for (const auto& f : {files.rtstruct, files.rtplan}) {
    testing::set_attribute(f, "0008,0005", "ISO_IR 100");
    testing::set_attribute(f, "0010,0010", "M\xfcller^J\xfcrgen");
  }
  testing::set_attribute(files.rtstruct, "3006,0020[0].3006,0026", "K\xf6rper");
  testing::set_attribute(files.rtplan, "300A,0002", "L3 R\xfc" "cken");
  const std::string body_utf8 = "K\xc3\xb6rper";

  const json dvh = run_json({"--rtstruct", files.rtstruct.string(), "--rtdose", files.rtdose.string(), "--rtplan",
                             files.rtplan.string()});
  EXPECT_EQ(structure_named(dvh, body_utf8)["interpreted_type"], "EXTERNAL");

  const auto check = run_sbrtkit({"check", dir.path().string(), "--protocol", "tg101-3fx", "--format", "json"});
  ASSERT_LE(check.exit_code, 1) << check.err;  // 0 or 1 (a constraint failed): not a crash, not bad input
  const json check_report = json::parse(check.out);  // throws (fails the test) on invalid UTF-8
  EXPECT_NE(check.out.find("L3 R\xc3\xbc" "cken"), std::string::npos) << check.out.substr(0, 2000);

  const auto out = dir / "batch-out";
  const auto batch = run_sbrtkit({"batch", dir.path().string(), "--protocol", "tg101-3fx", "--out", out.string(),
                                  "--progress", "none"});
  ASSERT_LT(batch.exit_code, 2) << batch.err;
  const std::string plans_csv = testing::read_text(out / "plans.csv");
  EXPECT_NE(plans_csv.find("L3 R\xc3\xbc" "cken"), std::string::npos) << plans_csv;
  const json batch_json = json::parse(testing::read_text(out / "batch.json"));
  EXPECT_TRUE(batch_json.is_object());
}

// Bytes flipped in an RTPLAN's text fields without a SpecificCharacterSet (issue 20): each byte that is
// not valid UTF-8 becomes U+FFFD, visibly damaged; check and batch write valid JSON/CSV, HTML and SQLite
// take the same text. 0xFF and 0xC3 0x28 are never UTF-8.
TEST(DvhCommand, FlippedBytesInPlanTextAreReplacedVisibly) {
  TempDir dir;
  const auto files = write_sphere_plan(dir.path());
  testing::set_attribute(files.rtplan, "300A,0002", "L3\xff\xc3(x");
  testing::set_attribute(files.rtplan, "0010,0010", "Pat\xfe\xfd");
  const std::string replaced = "L3\xef\xbf\xbd\xef\xbf\xbd(x";  // U+FFFD twice
  const auto check = run_sbrtkit({"check", dir.path().string(), "--protocol", "tg101-3fx", "--format", "json"});
  ASSERT_LE(check.exit_code, 1) << check.err;
  EXPECT_NO_THROW((void)json::parse(check.out));
  EXPECT_NE(check.out.find(replaced), std::string::npos) << check.out.substr(0, 2000);
  const auto out = dir / "batch-out";
  const auto batch = run_sbrtkit({"batch", dir.path().string(), "--protocol", "tg101-3fx", "--out", out.string(),
                                  "--progress", "none"});
  ASSERT_LT(batch.exit_code, 2) << batch.err;
  EXPECT_NE(testing::read_text(out / "plans.csv").find(replaced), std::string::npos);
  EXPECT_NO_THROW((void)json::parse(testing::read_text(out / "batch.json")));
  const auto html = dir / "plan.html";
  const auto report = run_sbrtkit({"report", dir.path().string(), "--protocol", "tg101-3fx", "-o", html.string()});
  EXPECT_LT(report.exit_code, 2) << report.err;
  EXPECT_NE(testing::read_text(html).find(replaced), std::string::npos);
}

}  // namespace
}  // namespace sbrtkit
