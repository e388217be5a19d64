#pragma once
/// Linear-quadratic fractionation corrections for physical doses delivered in n equal fractions:
///   BED  = D (1 + d / (a/b)),  d = D / n
///   EQD2 = BED / (1 + 2 / (a/b)) = D (d + a/b) / (2 + a/b)
/// Typical a/b: prostate 1.5 Gy, tumour 10 Gy, late-responding tissue 3 Gy, spinal cord 2 Gy.
/// An EQD2 DVH must be built by converting every dose sample before histogramming (the correction is
/// non-linear in dose, so converting a finished DVH or its metrics is wrong); the sampler calls
/// eqd2_of_physical_dose per sample for that.
///
///   eqd2_gy(30.0, 3, 3.0)  // 78 Gy

#include <cassert>

#include "sbrtkit/expected.h"

namespace sbrtkit {

/// Biologically effective dose (Gy) of total_gy delivered in `fractions` equal fractions.
/// Error (bad_argument) when fractions <= 0, alpha_beta_gy <= 0 or total_gy < 0 (or any is NaN).
Expected<double> bed_gy(double total_gy, int fractions, double alpha_beta_gy);

/// Equivalent dose in 2 Gy fractions (Gy). Same errors as bed_gy.
Expected<double> eqd2_gy(double total_gy, int fractions, double alpha_beta_gy);

/// Checks fractions > 0 and alpha_beta_gy > 0 once, before a per-sample loop of eqd2_of_physical_dose.
Status check_fractionation(int fractions, double alpha_beta_gy);

/// EQD2 (Gy) of one dose sample, for the per-voxel conversion. No error path (this runs per sample):
/// the caller validates fractions and alpha_beta_gy with check_fractionation first.
inline double eqd2_of_physical_dose(double dose_gy, int fractions, double alpha_beta_gy) {
  assert(fractions > 0 && alpha_beta_gy > 0);
  const double per_fraction_gy = dose_gy / fractions;
  return dose_gy * (per_fraction_gy + alpha_beta_gy) / (2.0 + alpha_beta_gy);
}

}  // namespace sbrtkit
