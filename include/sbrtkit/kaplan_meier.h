#pragma once
/// Time-to-event statistics for local control and progression-free survival: the Kaplan-Meier
/// product-limit estimate with Greenwood's variance, numbers at risk, a split of subjects at a
/// covariate threshold (default the median) and the two-group log-rank test (chi-square, 1 degree of
/// freedom). Ties: at one time, events are counted before censorings, so a subject censored at t is
/// still at risk at t (the usual convention, Kaplan & Meier 1958).
///
///   auto km = kaplan_meier({{6, true}, {6, true}, {7, false}});  // km->survival_at(6) == 1/3
///   auto lr = log_rank(six_mp, placebo);                          // lr->chi_square, lr->p_value

#include <optional>
#include <vector>

#include "sbrtkit/expected.h"

namespace sbrtkit {

/// One subject: the time (days, months: any unit, the same for all) and whether it ended in the event
/// (false: censored, i.e. event-free when last seen).
struct SurvivalTime {
  double time = 0;
  bool event = false;
};

/// One distinct time at which something happened.
struct KaplanMeierRow {
  double time = 0;
  int at_risk = 0;    // subjects with time >= this time
  int events = 0;
  int censored = 0;
  double survival = 1;           // S(t) just after this time
  double greenwood_variance = 0; // S(t)^2 sum d / (n (n - d)); 0 once S(t) = 0 (no subject left)
};

struct KaplanMeierCurve {
  int subjects = 0;
  std::vector<KaplanMeierRow> rows;  // ascending time

  /// S(t), right-continuous: 1 before the first event, the step value from each event time on.
  double survival_at(double t) const;
  double variance_at(double t) const;
  /// Median survival: the first time with S(t) <= 0.5, nullopt when the curve stays above.
  std::optional<double> median() const;
};

/// Errors (bad_argument, naming the subject index): a negative or non-finite time.
Expected<KaplanMeierCurve> kaplan_meier(const std::vector<SurvivalTime>& subjects);

/// Subjects still at risk at each of `times` (time >= t), for the table under a KM plot.
std::vector<int> numbers_at_risk(const std::vector<SurvivalTime>& subjects, const std::vector<double>& times);

struct LogRankTest {
  double observed[2] = {0, 0};  // events per group
  double expected[2] = {0, 0};  // under the null hypothesis of one survival curve
  double variance = 0;          // hypergeometric variance of observed[0] - expected[0]
  double chi_square = 0;        // (O1 - E1)^2 / V
  double p_value = 1;           // chi-square with 1 degree of freedom
};
/// Errors (bad_argument): an empty group, a bad time, or no event in either group (no test possible).
Expected<LogRankTest> log_rank(const std::vector<SurvivalTime>& group_a, const std::vector<SurvivalTime>& group_b);

/// Upper tail of the chi-square distribution with 1 degree of freedom: erfc(sqrt(x / 2)).
double chi_square_1df_p_value(double x);

struct ThresholdSplit {
  double threshold = 0;
  std::vector<SurvivalTime> below, at_or_above;  // covariate < threshold, covariate >= threshold
};
/// Splits subjects by covariate (e.g. cumulative EQD2 D98 per lesion) at `threshold`, or at the median
/// of the covariates (the mean of the two middle values for an even count). Errors (bad_argument): sizes
/// differ, no subject, a non-finite covariate or threshold.
Expected<ThresholdSplit> split_at_threshold(const std::vector<SurvivalTime>& subjects,
                                            const std::vector<double>& covariate,
                                            std::optional<double> threshold = std::nullopt);

}  // namespace sbrtkit
