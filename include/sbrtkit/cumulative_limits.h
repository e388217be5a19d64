#pragma once
/// Re-irradiation limits over a patient's courses (`sbrtkit history`): the protocol constraints whose
/// scope is cumulative, per_course or reirradiation_course (protocol.h LimitScope), judged on dose values
/// the caller computes (physical or EQD2 at the constraint's a/b; cumulative or one course), and the
/// least interval between successive courses. Pure computation: the metric values come through a callback.
///
///   auto rows = evaluate_cumulative_limits(protocol, reference_structures, plan_uids, source);
///   rows->front().margin_gy;   // limit - value for an upper limit: room left, negative when exceeded

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/protocol.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

/// What one limit needs: a metric of a structure, on the cumulative dose (course nullopt) or on one
/// course's dose, physical or EQD2 with the given a/b.
struct LimitQuery {
  const Structure* structure = nullptr;
  const Metric* metric = nullptr;
  std::optional<std::size_t> course;
  std::optional<double> eqd2_alpha_beta_gy;
};
/// The value in the metric's unit (Gy), nullopt when it cannot be computed (the structure outside every dose).
using LimitMetricSource = std::function<Expected<std::optional<double>>(const LimitQuery&)>;

struct CumulativeLimitRow {
  std::string protocol_structure, structure;  // rule name, reference ROI name ("" when none matched)
  std::string constraint, metric, comparison;
  LimitScope scope = LimitScope::cumulative;
  std::string plan_uid;  // per-course rows: the course judged
  std::optional<double> eqd2_alpha_beta_gy;  // nullopt: physical dose
  bool relative_to_cumulative = false;
  std::optional<double> limit_gy, value_gy;
  std::optional<double> margin_gy;          // limit - value for < and <=, value - limit for > and >=
  std::optional<double> sum_of_courses_gy;  // cumulative rows: the sum of every course's own value of the metric
  std::optional<bool> passed;               // nullopt: not evaluable (reason says why)
  std::string source, note, reason;
  bool unconfirmed = false;
};

/// One row per constraint, matched structure and (per-course scopes) course; a rule matching no
/// reference structure gives one not-evaluable row per constraint. Constraints of scope `plan` are
/// skipped. Errors: those of the source; a metric whose output is not in Gy or that needs a prescription
/// (bad_argument naming the constraint and its protocol line).
Expected<std::vector<CumulativeLimitRow>> evaluate_cumulative_limits(const Protocol& protocol,
                                                                      const StructureSet& reference_structures,
                                                                      const std::vector<std::string>& plan_uids,
                                                                      const LimitMetricSource& source);

/// Day number of a YYYY-MM-DD date (days since 1970-01-01), nullopt when malformed.
std::optional<long> day_number(const std::string& iso_date);
/// The date `months` calendar months after iso_date, the day clamped to the end of the month
/// ("2024-01-31" + 1 -> "2024-02-29").
std::string add_months(const std::string& iso_date, int months);

struct CourseIntervalRow {
  std::string from_plan_uid, to_plan_uid, from_date, to_date;
  std::string earliest_date;  // from_date + months
  long days = 0;              // to_date - from_date
  long margin_days = 0;       // to_date - earliest_date: negative when too early
  bool passed = false;
  int months = 0;
  std::string source;
};
/// One row per pair of successive courses (dates YYYY-MM-DD in chronological order).
std::vector<CourseIntervalRow> evaluate_course_intervals(const CourseInterval& interval,
                                                         const std::vector<std::string>& plan_uids,
                                                         const std::vector<std::string>& dates);

}  // namespace sbrtkit
