// Prescription attribution and the geometry it relies on (stack containment, structure centroids).

#include <gtest/gtest.h>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/prescription.h"
#include "support/analytic_phantom.h"

namespace sbrtkit {
namespace {

using testing::Shape;
using testing::Solid;

TEST(ContourStack, ContainsFollowsSlabsAndTheEvenOddRule) {
  // Annulus: outer radius 20, hole of radius 10, planes every 3 mm from z = 1.5 to 13.5 (slabs 0..15).
  Structure ring = testing::contour_solid(Solid{Shape::cylinder, 20, 15, {0, 0, 7.5}}, 3, 1, "RING");
  const Structure hole = testing::contour_solid(Solid{Shape::cylinder, 10, 15, {0, 0, 7.5}}, 3, 2, "HOLE");
  for (const auto& c : hole.contours) ring.contours.push_back(c);
  auto stack = build_contour_stack(ring, EndCap::half, 0);
  ASSERT_TRUE(stack);
  EXPECT_TRUE(stack->contains({15, 0, 7}));
  EXPECT_FALSE(stack->contains({5, 0, 7}));     // in the hole
  EXPECT_FALSE(stack->contains({25, 0, 7}));    // outside the outer loop
  EXPECT_TRUE(stack->contains({0, -15, 0.2}));  // inside the lower end cap
  EXPECT_FALSE(stack->contains({0, -15, -0.2}));
  EXPECT_FALSE(stack->contains({0, -15, 15.2}));
}

TEST(DvhEngine, CentroidOfASphereIsItsCentre) {
  // The sampled centroid of a symmetric stack is its centre up to the row quadrature (< 0.01 mm).
  const Solid sphere{Shape::sphere, 8, 16, {12.3, -40.2, 71.9}};
  const testing::DoseModel model{testing::Gradient::along_x, 20, 1, sphere.centre};
  auto r = compute_dvh(testing::contour_solid(sphere, 2), testing::make_dose_grid(sphere, model, 2, 0));
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->centroid.x, 12.3, 0.01);
  EXPECT_NEAR(r->centroid.y, -40.2, 0.01);
  EXPECT_NEAR(r->centroid.z, 71.9, 0.01);
}

class PrescriptionResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_.structures.push_back(testing::contour_solid(Solid{Shape::sphere, 10, 20, {-40, 0, 0}}, 2, 1, "PTV_A"));
    set_.structures.push_back(testing::contour_solid(Solid{Shape::sphere, 10, 20, {40, 0, 0}}, 2, 2, "PTV_B"));
    set_.structures.push_back(testing::contour_solid(Solid{Shape::sphere, 5, 10, {40, 0, 0}}, 2, 3, "GTV_B"));
    set_.structures.push_back(testing::contour_solid(Solid{Shape::sphere, 5, 10, {40, 0, 0}}, 2, 4, "Bowel"));
    set_.structures[2].interpreted_type = "GTV";
    set_.structures[3].interpreted_type = "ORGAN";
    plan_.dose_references.push_back({1, "A", "VOLUME", "TARGET", 1, 30.0});
    plan_.dose_references.push_back({2, "B", "VOLUME", "TARGET", 2, 24.0});
  }
  StructureSet set_;
  PlanInfo plan_;
};

TEST_F(PrescriptionResolverTest, TargetsUseTheirOwnAndTumourVolumesThatOfTheirContainer) {
  const PrescriptionResolver resolver(set_, &plan_, std::nullopt);
  EXPECT_EQ(resolver.for_structure(set_.structures[0], {-40, 0, 0}).prescription_gy, 30.0);
  EXPECT_EQ(resolver.for_structure(set_.structures[1], {40, 0, 0}).prescription_gy, 24.0);
  const auto gtv = resolver.for_structure(set_.structures[2], {40, 0, 0});
  EXPECT_EQ(gtv.prescription_gy, 24.0);
  EXPECT_NE(gtv.source.find("PTV_B"), std::string::npos);
  // An organ is never attributed to a target, even inside it: it gets the plan's largest.
  EXPECT_EQ(resolver.for_structure(set_.structures[3], {40, 0, 0}).prescription_gy, 30.0);
  // A tumour volume outside every target falls back to the largest too.
  EXPECT_EQ(resolver.for_structure(set_.structures[2], {0, 0, 0}).prescription_gy, 30.0);
}

TEST_F(PrescriptionResolverTest, OverrideWinsAndNoPlanMeansNoPrescription) {
  EXPECT_EQ(PrescriptionResolver(set_, &plan_, 18.0).for_structure(set_.structures[1], {}).prescription_gy, 18.0);
  EXPECT_FALSE(PrescriptionResolver(set_, nullptr, std::nullopt).for_structure(set_.structures[1], {}).prescription_gy);
}

}  // namespace
}  // namespace sbrtkit
