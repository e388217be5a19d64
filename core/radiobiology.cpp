#include "sbrtkit/radiobiology.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "number_text.h"

namespace sbrtkit {

using detail::number_text;

namespace {

}  // namespace

Status check_fractionation(int fractions, double alpha_beta_gy) {
  if (fractions <= 0) return Error::bad_argument("fractions", "a positive number of fractions", std::to_string(fractions));
  // NaN fails the comparison and is rejected too.
  if (!(alpha_beta_gy > 0) || !std::isfinite(alpha_beta_gy)) {
    return Error::bad_argument("alpha/beta", "a positive alpha/beta ratio in Gy", number_text(alpha_beta_gy));
  }
  return ok();
}

Expected<double> bed_gy(double total_gy, int fractions, double alpha_beta_gy) {
  if (auto status = check_fractionation(fractions, alpha_beta_gy); !status) return status.error();
  if (!(total_gy >= 0) || !std::isfinite(total_gy)) {
    return Error::bad_argument("total dose", "a non-negative dose in Gy", number_text(total_gy));
  }
  const double per_fraction_gy = total_gy / fractions;
  return total_gy * (1.0 + per_fraction_gy / alpha_beta_gy);
}

Expected<double> eqd2_gy(double total_gy, int fractions, double alpha_beta_gy) {
  auto bed = bed_gy(total_gy, fractions, alpha_beta_gy);
  if (!bed) return bed.error();
  return *bed / (1.0 + 2.0 / alpha_beta_gy);
}

}  // namespace sbrtkit
