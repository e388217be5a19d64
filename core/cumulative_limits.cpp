// Re-irradiation limits over courses and the interval between courses. See include/sbrtkit/cumulative_limits.h.
#include "sbrtkit/cumulative_limits.h"

#include <algorithm>
#include <cstdio>

namespace sbrtkit {
namespace {

bool is_upper(Comparison c) { return c == Comparison::less || c == Comparison::less_equal; }

/// Days from civil date (Howard Hinnant's algorithm), proleptic Gregorian.
long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return long(era) * 146097 + long(doe) - 719468;
}

bool parse_iso(const std::string& s, int& y, int& m, int& d) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  return std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return days[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

std::optional<long> day_number(const std::string& iso) {
  int y = 0, m = 0, d = 0;
  if (!parse_iso(iso, y, m, d) || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, unsigned(m), unsigned(d));
}

std::string add_months(const std::string& iso, int months) {
  int y = 0, m = 0, d = 0;
  if (!parse_iso(iso, y, m, d)) return "";
  const int total = y * 12 + (m - 1) + months;
  y = total / 12;
  m = total % 12 + 1;
  d = std::min(d, days_in_month(y, m));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

Expected<std::vector<CumulativeLimitRow>> evaluate_cumulative_limits(const Protocol& protocol,
                                                                      const StructureSet& reference,
                                                                      const std::vector<std::string>& plan_uids,
                                                                      const LimitMetricSource& source) {
  std::vector<CumulativeLimitRow> rows;
  for (const auto& rule : protocol.structures) {
    std::vector<const Structure*> matched;
    for (const auto& s : reference.structures)
      if (match_rule(rule, s)) matched.push_back(&s);
    for (const auto& c : rule.constraints) {
      if (c.scope == LimitScope::plan) continue;
      const std::string where = protocol.file + " line " + std::to_string(c.line);
      if (!c.metric) return Error::bad_argument(where, "a DVH metric for a cumulative limit", "'" + c.metric_text + "'");
      if (c.metric->output_unit() != MetricOutputUnit::gy || c.metric->needs_prescription())
        return Error::bad_argument(where, "a metric in Gy without a prescription (e.g. Max[Gy], D0.035cc[Gy])",
                                   "'" + c.metric_text + "'");
      if (!c.limit) return Error::bad_argument(where, "a number as the limit", "'" + c.text + "'");
      CumulativeLimitRow base;
      base.protocol_structure = rule.name;
      base.constraint = c.text;
      base.metric = c.metric_text;
      base.comparison = to_string(c.comparison);
      base.scope = c.scope;
      base.eqd2_alpha_beta_gy = c.eqd2_alpha_beta_gy;
      base.relative_to_cumulative = c.relative_to_cumulative;
      base.source = c.source.empty() ? protocol.source : c.source;
      base.note = c.note;
      base.unconfirmed = c.unconfirmed;
      if (matched.empty()) {
        base.reason = "no structure of the reference RTSTRUCT matches " + rule.name;
        rows.push_back(base);
        continue;
      }
      for (const Structure* s : matched) {
        auto value_of = [&](std::optional<std::size_t> course) {
          return source(LimitQuery{s, &*c.metric, course, c.eqd2_alpha_beta_gy});
        };
        CumulativeLimitRow row = base;
        row.structure = s->name;
        std::optional<double> cumulative;
        if (c.scope == LimitScope::cumulative || c.relative_to_cumulative) {
          auto v = value_of(std::nullopt);
          if (!v) return v.error();
          cumulative = *v;
        }
        auto judge = [&](CumulativeLimitRow& r, std::optional<double> value, std::optional<double> limit) {
          r.value_gy = value;
          r.limit_gy = limit;
          if (!value || !limit) {
            if (r.reason.empty()) r.reason = value ? "no cumulative value to scale the limit by" : "no dose in the structure";
            return;
          }
          r.margin_gy = is_upper(c.comparison) ? *limit - *value : *value - *limit;
          r.passed = satisfies(*value, c.comparison, *limit);
        };
        if (c.scope == LimitScope::cumulative) {
          double sum = 0;
          bool all = true;
          for (std::size_t k = 0; k < plan_uids.size(); ++k) {
            auto v = value_of(k);
            if (!v) return v.error();
            if (*v) sum += **v;
            else all = false;
          }
          if (all || sum > 0) row.sum_of_courses_gy = sum;
          judge(row, cumulative, c.limit);
          rows.push_back(std::move(row));
          continue;
        }
        const std::size_t first = c.scope == LimitScope::reirradiation_course ? 1 : 0;
        if (plan_uids.size() <= first) {
          row.reason = "a single course: no re-irradiation course to judge";
          rows.push_back(std::move(row));
          continue;
        }
        for (std::size_t k = first; k < plan_uids.size(); ++k) {
          CumulativeLimitRow r = row;
          r.plan_uid = plan_uids[k];
          auto v = value_of(k);
          if (!v) return v.error();
          std::optional<double> limit = c.limit;
          if (c.relative_to_cumulative) limit = cumulative ? std::optional<double>(*c.limit * *cumulative) : std::nullopt;
          judge(r, *v, limit);
          rows.push_back(std::move(r));
        }
      }
    }
  }
  return rows;
}

std::vector<CourseIntervalRow> evaluate_course_intervals(const CourseInterval& interval,
                                                         const std::vector<std::string>& plan_uids,
                                                         const std::vector<std::string>& dates) {
  std::vector<CourseIntervalRow> rows;
  for (std::size_t k = 1; k < dates.size() && k < plan_uids.size(); ++k) {
    CourseIntervalRow r;
    r.from_plan_uid = plan_uids[k - 1];
    r.to_plan_uid = plan_uids[k];
    r.from_date = dates[k - 1];
    r.to_date = dates[k];
    r.months = interval.months;
    r.source = interval.source;
    r.earliest_date = add_months(r.from_date, interval.months);
    const auto a = day_number(r.from_date), b = day_number(r.to_date), e = day_number(r.earliest_date);
    if (a && b && e) {
      r.days = *b - *a;
      r.margin_days = *b - *e;
      r.passed = r.margin_days >= 0;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace sbrtkit
