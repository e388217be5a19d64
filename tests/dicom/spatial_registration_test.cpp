// Spatial Registration objects: written by write_spatial_registration, read back; maps between frames in
// both directions, chained matrices, and each malformed case refused with the tag named.
#include "sbrtkit/dicom/spatial_registration.h"

#include <cmath>
#include <numbers>

#include "dicom_test_util.h"
#include "sbrtkit/dicom/rt_writer.h"
#include "support/dicom_fixtures.h"

namespace sbrtkit {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;

RigidMap rotation_z(double degrees, Vec3 t) {
  const double a = degrees * std::numbers::pi / 180, c = std::cos(a), s = std::sin(a);
  RigidMap m;
  m.rotation = {c, -s, 0, s, c, 0, 0, 0, 1};
  m.translation_mm = t;
  return m;
}

void expect_same(PatientPoint a, PatientPoint b, double tol = 1e-6) {
  EXPECT_NEAR(a.x, b.x, tol);
  EXPECT_NEAR(a.y, b.y, tol);
  EXPECT_NEAR(a.z, b.z, tol);
}

class SpatialRegistrationFile : public ::testing::Test {
 protected:
  std::filesystem::path write(const SpatialRegistrationWriteOptions& o, const std::string& name = "reg.dcm") {
    PatientStudy study;
    study.frame_of_reference_uid = "1.2.3.100";  // the planning frame: the registration's common frame
    auto uid = write_spatial_registration(dir_.path() / name, study, o);
    EXPECT_TRUE(uid) << (uid ? "" : uid.error().message());
    return dir_.path() / name;
  }
  ScratchDir dir_;
};

TEST_F(SpatialRegistrationFile, MapsBothWaysAndChainsMatrices) {
  // The PET frame 1.2.3.200 reaches planning by a 3 degree rotation and a shift; a second frame by two
  // matrices in sequence (a shift, then a -90 degree rotation).
  const RigidMap pet_to_plan = rotation_z(3, {8, 5, -6});
  SpatialRegistrationWriteOptions o;
  o.frames = {{"1.2.3.200", {pet_to_plan}}, {"1.2.3.300", {rotation_z(0, {1, 2, 3}), rotation_z(-90, {0, 0, 0})}}};
  auto sro = read_spatial_registration(write(o));
  ASSERT_TRUE(sro) << sro.error().message();
  EXPECT_EQ(sro->frame_of_reference_uid, "1.2.3.100");
  const PatientPoint p{12.5, -40, 77};
  auto forward = sro->map("1.2.3.200", "1.2.3.100");
  ASSERT_TRUE(forward);
  expect_same(forward->apply(p), pet_to_plan.apply(p));
  auto back = sro->map("1.2.3.100", "1.2.3.200");
  ASSERT_TRUE(back);
  expect_same(back->apply(pet_to_plan.apply(p)), p);
  // Chained: (x + (1,2,3)) then rotated by -90 degrees about z: (x, y) -> (y, -x).
  auto chained = sro->map("1.2.3.300", "1.2.3.100");
  ASSERT_TRUE(chained);
  expect_same(chained->apply(PatientPoint{1, 0, 0}), PatientPoint{2, -2, 3});
  // Between two registered frames, through the common one.
  auto across = sro->map("1.2.3.200", "1.2.3.300");
  ASSERT_TRUE(across);
  expect_same(chained->apply(across->apply(p)), pet_to_plan.apply(p));
  EXPECT_FALSE(sro->map("1.2.3.200", "9.9.9"));  // a frame the object does not link
}

TEST_F(SpatialRegistrationFile, MalformedObjectsAreRefusedNamingTheTag) {
  SpatialRegistrationWriteOptions o;
  o.frames = {{"1.2.3.200", {rotation_z(3, {8, 5, -6})}}};
  // A deformable or affine matrix type is not applied.
  SpatialRegistrationWriteOptions affine = o;
  affine.matrix_type = "AFFINE";
  auto a = read_spatial_registration(write(affine, "affine.dcm"));
  ASSERT_FALSE(a);
  EXPECT_THAT(a.error().message(), HasSubstr("(0070,030C)"));
  EXPECT_THAT(a.error().message(), HasSubstr("AFFINE"));
  // A 1% scale is not a rotation.
  const auto scaled = write(o, "scaled.dcm");
  testing::set_attribute(scaled, "0070,0308[1].0070,0309[0].0070,030A[0].3006,00C6",
                         "1.01\\0\\0\\8\\0\\1\\0\\5\\0\\0\\1\\-6\\0\\0\\0\\1");
  auto s = read_spatial_registration(scaled);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message(), HasSubstr("(3006,00C6)"));
  EXPECT_THAT(s.error().message(), HasSubstr("rigid"));
  // Fifteen numbers instead of sixteen.
  const auto short_matrix = write(o, "short.dcm");
  testing::set_attribute(short_matrix, "0070,0308[1].0070,0309[0].0070,030A[0].3006,00C6",
                         "1\\0\\0\\8\\0\\1\\0\\5\\0\\0\\1\\-6\\0\\0\\0");
  auto m = read_spatial_registration(short_matrix);
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message(), HasSubstr("(3006,00C6)"));
  // No RegistrationSequence.
  const auto empty = write(o, "empty.dcm");
  testing::remove_attribute(empty, "0070,0308");
  auto e = read_spatial_registration(empty);
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message(), HasSubstr("(0070,0308)"));
  // Not a registration at all.
  PatientStudy study;
  auto ct = write_ct_series(dir_.path() / "ct", study, Volume<float>(testing::reference_grid(), 0.0f));
  ASSERT_TRUE(ct);
  auto c = read_spatial_registration(ct->files.front());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message(), HasSubstr("Spatial Registration"));
}

}  // namespace
}  // namespace sbrtkit
