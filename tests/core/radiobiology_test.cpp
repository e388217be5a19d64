// BED / EQD2 against the test vectors of sbrt-domain.md section 5. Each vector is also a closed form
// (BED = D (1 + d/ab), EQD2 = D (d + ab) / (2 + ab)), so the exact value is checked to 1e-12 relative
// (a handful of double operations); the rounded published value (98.57) is checked to its last digit.

#include "sbrtkit/radiobiology.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sbrtkit {
namespace {

double tol(double truth) { return 1e-12 * std::max(1.0, std::abs(truth)); }

TEST(Radiobiology, DomainTestVectors) {
  // 30 Gy / 3 fx, a/b 3: d = 10, BED = 30 (1 + 10/3) = 130, EQD2 = 130 / (5/3) = 78.
  EXPECT_NEAR(*bed_gy(30, 3, 3), 130.0, tol(130.0));
  EXPECT_NEAR(*eqd2_gy(30, 3, 3), 78.0, tol(78.0));
  // a/b 10: BED 60, EQD2 50.
  EXPECT_NEAR(*bed_gy(30, 3, 10), 60.0, tol(60.0));
  EXPECT_NEAR(*eqd2_gy(30, 3, 10), 50.0, tol(50.0));
  // a/b 1.5: BED = 30 (1 + 10/1.5) = 230, EQD2 = 230 / (1 + 2/1.5) = 690/7 = 98.5714...
  EXPECT_NEAR(*bed_gy(30, 3, 1.5), 230.0, tol(230.0));
  EXPECT_NEAR(*eqd2_gy(30, 3, 1.5), 690.0 / 7.0, tol(98.6));
  EXPECT_NEAR(*eqd2_gy(30, 3, 1.5), 98.57, 0.005);  // published value, rounded to 0.01
  // 24 Gy / 1 fx, a/b 10: BED = 24 (1 + 2.4) = 81.6, EQD2 = 81.6 / 1.2 = 68.
  EXPECT_NEAR(*bed_gy(24, 1, 10), 81.6, tol(81.6));
  EXPECT_NEAR(*eqd2_gy(24, 1, 10), 68.0, tol(68.0));
  // 35 Gy / 5 fx, a/b 1.5: EQD2 = 35 (7 + 1.5) / 3.5 = 85.
  EXPECT_NEAR(*eqd2_gy(35, 5, 1.5), 85.0, tol(85.0));
}

TEST(Radiobiology, TwoGrayFractionsAreTheirOwnEqd2) {
  // By definition EQD2 of n x 2 Gy is the physical dose, for any a/b.
  for (double ab : {1.5, 3.0, 10.0}) EXPECT_NEAR(*eqd2_gy(60, 30, ab), 60.0, tol(60.0)) << ab;
  EXPECT_EQ(*bed_gy(0, 5, 3), 0.0);
}

TEST(Radiobiology, PerSampleConversionMatchesTheScalarForm) {
  for (double dose : {0.0, 0.5, 7.3, 24.0, 30.0, 45.5}) {
    for (int n : {1, 3, 5}) {
      for (double ab : {1.5, 2.0, 3.0, 10.0}) {
        EXPECT_NEAR(eqd2_of_physical_dose(dose, n, ab), *eqd2_gy(dose, n, ab), tol(*eqd2_gy(dose, n, ab)))
            << dose << " Gy / " << n << " fx, a/b " << ab;
      }
    }
  }
  EXPECT_NEAR(eqd2_of_physical_dose(30, 3, 3), 78.0, tol(78.0));
}

TEST(Radiobiology, BadInputsAreErrors) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(bed_gy(30, 0, 3).has_value());
  EXPECT_FALSE(bed_gy(30, -3, 3).has_value());
  EXPECT_FALSE(bed_gy(30, 3, 0).has_value());
  EXPECT_FALSE(bed_gy(30, 3, -1.5).has_value());
  EXPECT_FALSE(bed_gy(30, 3, nan).has_value());
  EXPECT_FALSE(bed_gy(-1, 3, 3).has_value());
  EXPECT_FALSE(bed_gy(nan, 3, 3).has_value());
  EXPECT_FALSE(eqd2_gy(30, 0, 3).has_value());
  EXPECT_FALSE(eqd2_gy(30, 3, 0).has_value());

  const auto zero_fractions = eqd2_gy(30, 0, 3);
  EXPECT_EQ(zero_fractions.error().code, ErrorCode::bad_argument);
  EXPECT_EQ(zero_fractions.error().tag, "fractions");
  EXPECT_EQ(zero_fractions.error().found, "0");
  const auto bad_ab = bed_gy(30, 3, -1.5);
  EXPECT_EQ(bad_ab.error().tag, "alpha/beta");
  EXPECT_EQ(bad_ab.error().found, "-1.5");

  EXPECT_TRUE(check_fractionation(5, 1.5).has_value());
  EXPECT_FALSE(check_fractionation(0, 1.5).has_value());
  EXPECT_FALSE(check_fractionation(5, 0).has_value());
}

}  // namespace
}  // namespace sbrtkit
