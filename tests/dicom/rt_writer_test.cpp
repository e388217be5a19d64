#include "sbrtkit/dicom/rt_writer.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "support/dicom_fixtures.h"
#include "dicom_test_util.h"

namespace sbrtkit {
namespace {

using testing::ScratchDir;
using testing::dciodvfy_errors;
using testing::have_dciodvfy;
using testing::join;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(RtWriter, EveryObjectPassesDciodvfy) {
  if (!have_dciodvfy()) GTEST_SKIP() << "dciodvfy not installed";
  ScratchDir dir;
  PatientStudy study;
  const ImageGeometry g = testing::reference_grid();
  auto ct = write_ct_series(dir / "ct", study, Volume<float>(g, 40.0f));
  ASSERT_TRUE(ct);
  auto pet = write_pet_series(dir / "pet", study, Volume<float>(g, 5000.0f));
  ASSERT_TRUE(pet);
  StructureSet ss;
  ss.structures = {{1, "PTV", "PTV", std::array<int, 3>{255, 0, 0},
                    {{ContourType::closed_planar, {{0, 0, -30}, {5, 0, -30}, {5, 5, -30}}}}},
                   {2, "Empty", "ORGAN", std::nullopt, {}}};
  auto rs = write_rtstruct(dir / "rs.dcm", study, ss, {ct->series_instance_uid, ct->sop_class_uid, ct->sop_instance_uids});
  ASSERT_TRUE(rs);
  PlanInfo plan;
  plan.label = "P1";
  plan.referenced_structure_set_uid = *rs;
  plan.fractions = 5;
  plan.dose_references = {{1, "PTV", "VOLUME", "TARGET", 1, 35.0}};
  auto rp = write_rtplan(dir / "rp.dcm", study, plan);
  ASSERT_TRUE(rp);
  RtDoseWriteOptions dopt;
  dopt.referenced_plan_uid = *rp;
  ASSERT_TRUE(write_rtdose(dir / "rd.dcm", study, testing::ramp(g, 0.001), dopt));
  SpatialRegistrationWriteOptions ropt;
  RigidMap shift;
  shift.translation_mm = {1, 2, 3};
  ropt.frames = {{"1.2.3.200", {shift}}};
  ASSERT_TRUE(write_spatial_registration(dir / "reg.dcm", study, ropt));

  for (const auto& f : {ct->files.front(), pet->files.front(), dir / "rs.dcm", dir / "rp.dcm", dir / "rd.dcm",
                        dir / "reg.dcm"}) {
    const auto errors = dciodvfy_errors(f);
    EXPECT_TRUE(errors.empty()) << f << ":\n" << join(errors);
  }
}

TEST(RtWriter, SeededUidsAreReproducible) {
  EXPECT_EQ(make_uid("phantom-1"), make_uid("phantom-1"));
  EXPECT_NE(make_uid("phantom-1"), make_uid("phantom-2"));
  EXPECT_NE(make_uid(), make_uid());
  for (const std::string uid : {make_uid("x"), make_uid()}) {
    EXPECT_LE(uid.size(), 64u);
    EXPECT_EQ(uid.find_first_not_of("0123456789."), std::string::npos) << uid;
  }
  ScratchDir a, b;
  PatientStudy study;
  study.uid_seed = "phantom-7";
  const DoseVolume dose = testing::ramp(testing::reference_grid(), 0.001);
  ASSERT_TRUE(write_rtdose(a / "rd.dcm", study, dose));
  ASSERT_TRUE(write_rtdose(b / "rd.dcm", study, dose));
  EXPECT_EQ(slurp(a / "rd.dcm"), slurp(b / "rd.dcm"));
  auto ct_a = write_ct_series(a / "ct", study, Volume<float>(testing::reference_grid(), 0.0f));
  auto ct_b = write_ct_series(b / "ct", study, Volume<float>(testing::reference_grid(), 0.0f));
  ASSERT_TRUE(ct_a && ct_b);
  EXPECT_EQ(ct_a->sop_instance_uids, ct_b->sop_instance_uids);
}

TEST(RtWriter, FailedWriteLeavesNothingBehind) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "rd.dcm");  // the target is a folder: rename must fail
  auto r = write_rtdose(dir / "rd.dcm", PatientStudy{}, testing::ramp(testing::reference_grid(), 0.001));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::io);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);  // only the folder itself, no temporary file
}

TEST(RtWriter, NoMetaHeaderMeansNoPreamble) {
  ScratchDir dir;
  RtPlanWriteOptions opt;
  opt.series.format = {false, false};
  ASSERT_TRUE(write_rtplan(dir / "rp.dcm", PatientStudy{}, PlanInfo{}, opt));
  const std::string bytes = slurp(dir / "rp.dcm");
  ASSERT_GT(bytes.size(), 132u);
  EXPECT_NE(bytes.substr(128, 4), "DICM");
  EXPECT_EQ(bytes[0], '\x08');  // first tag in group 0008, little endian
}

TEST(RtWriter, RejectsShearedGrid) {
  ScratchDir dir;
  const ImageGeometry sheared({2, 2, 2}, PatientPoint{}, Vec3{1, 1, 1},
                              {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0.6, 0.8}});
  auto r = write_ct_series(dir.path(), PatientStudy{}, Volume<float>(sheared, 0.0f));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_argument);
}

}  // namespace
}  // namespace sbrtkit
