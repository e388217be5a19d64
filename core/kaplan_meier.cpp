// Kaplan-Meier, Greenwood, numbers at risk, log-rank and the threshold split. See
// include/sbrtkit/kaplan_meier.h.
#include "sbrtkit/kaplan_meier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "number_text.h"

namespace sbrtkit {

using detail::number_text;
namespace {

Status check_times(const std::vector<SurvivalTime>& s, const std::string& what) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!(std::isfinite(s[i].time) && s[i].time >= 0))
      return Error::bad_argument(what + "[" + std::to_string(i) + "].time", "a finite time >= 0", number_text(s[i].time));
  return ok();
}

/// Distinct times with their event and censoring counts, ascending.
struct TimeCount {
  double time;
  int events, censored;
};
std::vector<TimeCount> tally(std::vector<SurvivalTime> s) {
  std::sort(s.begin(), s.end(), [](const SurvivalTime& a, const SurvivalTime& b) { return a.time < b.time; });
  std::vector<TimeCount> out;
  for (const auto& x : s) {
    if (out.empty() || out.back().time != x.time) out.push_back({x.time, 0, 0});
    (x.event ? out.back().events : out.back().censored) += 1;
  }
  return out;
}

}  // namespace

double KaplanMeierCurve::survival_at(double t) const {
  double s = 1;
  for (const auto& r : rows) {
    if (r.time > t) break;
    s = r.survival;
  }
  return s;
}

double KaplanMeierCurve::variance_at(double t) const {
  double v = 0;
  for (const auto& r : rows) {
    if (r.time > t) break;
    v = r.greenwood_variance;
  }
  return v;
}

std::optional<double> KaplanMeierCurve::median() const {
  for (const auto& r : rows)
    if (r.events > 0 && r.survival <= 0.5) return r.time;
  return std::nullopt;
}

Expected<KaplanMeierCurve> kaplan_meier(const std::vector<SurvivalTime>& subjects) {
  if (auto st = check_times(subjects, "subjects"); !st) return st.error();
  KaplanMeierCurve curve;
  curve.subjects = int(subjects.size());
  int at_risk = curve.subjects;
  double s = 1, greenwood_sum = 0;
  for (const auto& t : tally(subjects)) {
    KaplanMeierRow row;
    row.time = t.time;
    row.at_risk = at_risk;
    row.events = t.events;
    row.censored = t.censored;
    if (t.events > 0) {
      s *= double(at_risk - t.events) / double(at_risk);
      // Greenwood's term is d / (n (n - d)); it is infinite when every subject at risk has the event,
      // where S drops to 0 exactly and its variance is taken as 0.
      if (at_risk > t.events) greenwood_sum += double(t.events) / (double(at_risk) * double(at_risk - t.events));
    }
    row.survival = s;
    row.greenwood_variance = s > 0 ? s * s * greenwood_sum : 0.0;
    curve.rows.push_back(row);
    at_risk -= t.events + t.censored;
  }
  return curve;
}

std::vector<int> numbers_at_risk(const std::vector<SurvivalTime>& subjects, const std::vector<double>& times) {
  std::vector<int> out;
  out.reserve(times.size());
  for (double t : times)
    out.push_back(int(std::count_if(subjects.begin(), subjects.end(), [&](const SurvivalTime& s) { return s.time >= t; })));
  return out;
}

double chi_square_1df_p_value(double x) { return x > 0 ? std::erfc(std::sqrt(x / 2.0)) : 1.0; }

Expected<LogRankTest> log_rank(const std::vector<SurvivalTime>& a, const std::vector<SurvivalTime>& b) {
  if (a.empty() || b.empty()) return Error::bad_argument(a.empty() ? "group_a" : "group_b", "at least one subject", "none");
  if (auto st = check_times(a, "group_a"); !st) return st.error();
  if (auto st = check_times(b, "group_b"); !st) return st.error();
  // Pooled distinct times; at each event time the 2 x 2 table (group x event) under the null.
  std::vector<SurvivalTime> pooled = a;
  pooled.insert(pooled.end(), b.begin(), b.end());
  auto count = [](const std::vector<SurvivalTime>& g, double t, bool risk) {
    return double(std::count_if(g.begin(), g.end(), [&](const SurvivalTime& s) {
      return risk ? s.time >= t : (s.event && s.time == t);
    }));
  };
  LogRankTest out;
  for (const auto& t : tally(pooled)) {
    if (t.events == 0) continue;
    const double n1 = count(a, t.time, true), n2 = count(b, t.time, true), n = n1 + n2;
    const double d1 = count(a, t.time, false), d2 = count(b, t.time, false), d = d1 + d2;
    out.observed[0] += d1;
    out.observed[1] += d2;
    out.expected[0] += d * n1 / n;
    out.expected[1] += d * n2 / n;
    if (n > 1) out.variance += d * (n1 / n) * (n2 / n) * (n - d) / (n - 1);
  }
  if (out.observed[0] + out.observed[1] == 0)
    return Error::bad_argument("groups", "at least one event", "only censored subjects");
  if (!(out.variance > 0)) return Error::bad_argument("groups", "subjects at risk in both groups at an event", "none");
  const double diff = out.observed[0] - out.expected[0];
  out.chi_square = diff * diff / out.variance;
  out.p_value = chi_square_1df_p_value(out.chi_square);
  return out;
}

Expected<ThresholdSplit> split_at_threshold(const std::vector<SurvivalTime>& subjects, const std::vector<double>& covariate,
                                            std::optional<double> threshold) {
  if (subjects.size() != covariate.size())
    return Error::bad_argument("covariate", "one value per subject (" + std::to_string(subjects.size()) + ")",
                               std::to_string(covariate.size()));
  if (subjects.empty()) return Error::bad_argument("subjects", "at least one subject", "none");
  for (std::size_t i = 0; i < covariate.size(); ++i)
    if (!std::isfinite(covariate[i]))
      return Error::bad_argument("covariate[" + std::to_string(i) + "]", "a finite value", number_text(covariate[i]));
  ThresholdSplit out;
  if (threshold) {
    if (!std::isfinite(*threshold)) return Error::bad_argument("threshold", "a finite value", number_text(*threshold));
    out.threshold = *threshold;
  } else {
    std::vector<double> v = covariate;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    out.threshold = v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  }
  for (std::size_t i = 0; i < subjects.size(); ++i)
    (covariate[i] < out.threshold ? out.below : out.at_or_above).push_back(subjects[i]);
  return out;
}

}  // namespace sbrtkit
