// Lesion histories over all studies and courses: chaining with the response rules, treated-by, per-course
// outcomes, patient events. See include/sbrtkit/lesion_history.h for the rules.
#include "sbrtkit/lesion_history.h"

#include <algorithm>
#include <map>
#include <string>

namespace sbrtkit {
namespace {

ResponseLesion with_context(const ResponseLesion& l, const LesionDoseContext* c) {
  ResponseLesion out = l;
  out.ptv.clear();
  out.ptv_distance_mm.reset();
  out.prescription_gy.reset();
  out.centroid_dose_gy.reset();
  out.point_dose_gy.clear();
  if (c) {
    out.ptv = c->ptv;
    out.ptv_distance_mm = c->ptv_distance_mm;
    out.prescription_gy = c->prescription_gy;
    out.centroid_dose_gy = c->centroid_dose_gy;
    out.point_dose_gy = c->point_dose_gy;
  }
  return out;
}

/// The treated rule of core/response on one lesion alone: it is the only baseline lesion of an assessment
/// without follow-up lesions, so its row is judged on it (judge_treated) and nothing else.
std::pair<bool, std::string> treated_rule(const ResponseLesion& l, const ResponseRules& r) {
  auto a = assess_response({l}, {}, r);
  if (!a || a->lesions.empty()) return {false, ""};
  return {a->lesions.front().treated, a->lesions.front().treated ? a->lesions.front().treated_by : ""};
}

/// The location rule of core/response on one lesion alone: as the only follow-up lesion it is new, and a
/// new lesion is located (in-field, marginal, out-of-field) against its own dose context.
std::pair<FieldLocation, std::string> location_rule(const ResponseLesion& l, const ResponseRules& r) {
  auto a = assess_response({}, {l}, r);
  if (!a || a->lesions.empty()) return {FieldLocation::none, ""};
  return {a->lesions.front().location, a->lesions.front().location_rule};
}

class HistoryBuilder {
 public:
  HistoryBuilder(const std::vector<LesionStudy>& studies, const std::vector<LesionCourse>& courses,
                 const ResponseRules& rules)
      : studies_(studies), courses_(courses), rules_(rules) {}

  Expected<LesionHistory> run() {
    if (auto s = validate(); !s) return s.error();
    track_of_.resize(studies_.size());
    for (std::size_t s = 0; s < studies_.size(); ++s) {
      track_of_[s].assign(studies_[s].lesions.size(), -1);
      if (auto st = chain_study(int(s)); !st) return st.error();
    }
    for (std::size_t c = 0; c < courses_.size(); ++c) judge_course(int(c));
    for (std::size_t c = 0; c < courses_.size(); ++c) course_outcomes(int(c));
    return std::move(out_);
  }

 private:
  const std::vector<LesionStudy>& studies_;
  const std::vector<LesionCourse>& courses_;
  const ResponseRules& rules_;
  LesionHistory out_;
  std::vector<std::vector<int>> track_of_;  // [study][lesion] -> track
  // Per course: the reference study of its pre-existing lesions and, per track, its role.
  enum class Role { absent, present, new_after };
  std::vector<std::optional<int>> start_study_;
  std::vector<std::vector<Role>> role_;
  std::vector<std::vector<std::string>> treated_rule_;
  std::vector<std::vector<bool>> treated_;

  Status validate() const {
    if (auto s = validate_rules(rules_); !s) return s;
    for (std::size_t s = 1; s < studies_.size(); ++s)
      if (!(studies_[s - 1].date < studies_[s].date))
        return Error::bad_argument("study " + studies_[s].label,
                                   "a date after the previous study's (" + to_iso(studies_[s - 1].date) + ", " +
                                       studies_[s - 1].label + ")",
                                   to_iso(studies_[s].date));
    for (std::size_t c = 0; c < courses_.size(); ++c) {
      const auto& course = courses_[c];
      if (c > 0 && !(courses_[c - 1].date < course.date))
        return Error::bad_argument("course " + course.plan_uid,
                                   "a plan date after the previous course's (" + to_iso(courses_[c - 1].date) + ", " +
                                       courses_[c - 1].plan_uid + ")",
                                   to_iso(course.date));
      if (course.context.size() != studies_.size())
        return Error::bad_argument("course " + course.plan_uid, std::to_string(studies_.size()) + " study contexts",
                                   std::to_string(course.context.size()));
      for (std::size_t s = 0; s < studies_.size(); ++s) {
        if (course.context[s].size() != studies_[s].lesions.size())
          return Error::bad_argument("course " + course.plan_uid + ", study " + studies_[s].label,
                                     std::to_string(studies_[s].lesions.size()) + " lesion contexts",
                                     std::to_string(course.context[s].size()));
        for (std::size_t i = 0; i < course.context[s].size(); ++i) {
          const auto& pd = course.context[s][i].point_dose_gy;
          if (!pd.empty() && pd.size() != studies_[s].lesions[i].points.size())
            return Error::bad_argument("course " + course.plan_uid + ", study " + studies_[s].label + ", lesion " +
                                           std::to_string(i + 1),
                                       "one point dose per lesion point (" +
                                           std::to_string(studies_[s].lesions[i].points.size()) + ")",
                                       std::to_string(pd.size()));
        }
      }
    }
    return ok();
  }

  /// The latest course planned before `date` (it was delivered before that study).
  std::optional<int> governing_course(const CalendarDate& date) const {
    std::optional<int> g;
    for (std::size_t c = 0; c < courses_.size(); ++c)
      if (courses_[c].date < date) g = int(c);
    return g;
  }

  std::vector<ResponseLesion> lesions_with(int s, std::optional<int> course) const {
    std::vector<ResponseLesion> out;
    const auto& ls = studies_[s].lesions;
    for (std::size_t i = 0; i < ls.size(); ++i)
      out.push_back(with_context(ls[i], course ? &courses_[*course].context[s][i] : nullptr));
    return out;
  }

  int new_track() {
    LesionTrack t;
    t.id = "L" + std::to_string(out_.lesions.size() + 1);
    out_.lesions.push_back(std::move(t));
    return int(out_.lesions.size()) - 1;
  }

  void append(int track, int s, int i, std::string change, bool progressing) {
    const ResponseLesion& l = studies_[s].lesions[i];
    LesionAppearance a;
    a.study = s;
    a.lesion = i;
    a.date = studies_[s].date;
    a.centroid = l.centroid;
    a.suv_max = l.suv_max;
    a.suv_peak = l.suv_peak;
    a.mtv_ml = l.volume_cc;
    a.tlg = l.tlg;
    a.change = std::move(change);
    a.progressing = progressing;
    out_.lesions[track].timeline.push_back(std::move(a));
    track_of_[s][i] = track;
  }

  Status chain_study(int s) {
    StudyEvents ev;
    ev.study = s;
    ev.date = studies_[s].date;
    ev.lesions = int(studies_[s].lesions.size());
    if (s == 0) {
      for (std::size_t i = 0; i < studies_[0].lesions.size(); ++i) append(new_track(), 0, int(i), "first_seen", false);
      out_.studies.push_back(ev);
      return ok();
    }
    const auto g = governing_course(studies_[s].date);
    ev.governing_course = g;
    const auto base = lesions_with(s - 1, g), follow = lesions_with(s, g);
    auto a = assess_response(base, follow, rules_);
    if (!a) return a.error().with_context("studies " + studies_[s - 1].label + " -> " + studies_[s].label);
    const int nf = int(follow.size());
    std::vector<const LesionResponse*> row_of(nf, nullptr);
    for (const auto& row : a->lesions)
      if (row.followup) row_of[*row.followup] = &row;

    std::vector<int> unmatched;
    std::vector<bool> done(nf, false);
    for (const auto& group : a->groups) link_group(s, group, base, follow, row_of, done);
    for (int j = 0; j < nf; ++j)
      if (!done[j]) unmatched.push_back(j);
    revive_or_start(s, g, unmatched);

    const auto& p = a->patient;
    ev.assessed = true;
    ev.progressing = p.progressing;
    ev.new_lesions = p.new_lesions;
    ev.percist_progression = p.progressing + p.new_lesions > 0;
    ev.ppp_by_imaging = p.ppp_by_imaging;
    ev.ppp_call = p.ppp_call;
    ev.oligo_call = p.oligo_call;
    ev.oligoprogression = p.oligoprogressive;
    ev.polyprogression = p.progressing + p.new_lesions > rules_.oligo_max_lesions;
    out_.studies.push_back(ev);
    return ok();
  }

  /// IDs through one match group: each follow-up lesion belongs to its best-overlapping baseline lesion
  /// (the assessment's row.baseline); the heir overlapping a baseline lesion most keeps its ID.
  void link_group(int s, const MatchGroup& group, const std::vector<ResponseLesion>& base,
                  const std::vector<ResponseLesion>& follow, const std::vector<const LesionResponse*>& row_of,
                  std::vector<bool>& done) {
    std::map<int, std::vector<int>> heirs;  // baseline index -> follow-up indices
    for (int j : group.followup) heirs[*row_of[j]->baseline].push_back(j);
    std::map<int, int> track_of_follow;
    for (int i : group.baseline) {
      auto it = heirs.find(i);
      if (it == heirs.end()) continue;
      const int parent = track_of_[s - 1][i];
      int winner = it->second.front();
      double best = -1;
      for (int j : it->second)
        if (const double ov = overlap_cc(follow[j], base[i]); ov > best) best = ov, winner = j;
      for (int j : it->second) {
        const auto* row = row_of[j];
        const bool progressing = row->change == ResponseChange::progressing;
        if (j == winner) {
          append(parent, s, j, change_name(row->change), progressing);
        } else {
          const int t = new_track();
          out_.lesions[t].split_from = out_.lesions[parent].id;
          append(t, s, j, change_name(row->change), progressing);
        }
        done[j] = true;
      }
      if (it->second.size() > 1) {
        LineageEvent e{LineageEvent::Kind::split, s, {out_.lesions[parent].id}, {}};
        for (int j : it->second) e.to.push_back(out_.lesions[track_of_[s][j]].id);
        out_.lineage.push_back(e);
      }
    }
    // Baseline lesions that no follow-up lesion belongs to merged into the one they overlap most.
    std::map<int, std::vector<int>> merged;  // follow-up track -> merged baseline tracks
    for (int i : group.baseline) {
      if (heirs.count(i)) continue;
      int into = group.followup.front();
      double best = -1;
      for (int j : group.followup)
        if (const double ov = overlap_cc(base[i], follow[j]); ov > best) best = ov, into = j;
      const int t = track_of_[s - 1][i];
      out_.lesions[t].merged_into = out_.lesions[track_of_[s][into]].id;
      merged[track_of_[s][into]].push_back(t);
    }
    for (const auto& [into, from] : merged) {
      LineageEvent e{LineageEvent::Kind::merge, s, {}, {out_.lesions[into].id}};
      // The lesion that kept its ID first, then those merged into it.
      const auto& tl = out_.lesions[into].timeline;
      if (tl.size() > 1) e.from.push_back(out_.lesions[into].id);
      for (int t : from) e.from.push_back(out_.lesions[t].id);
      out_.lineage.push_back(e);
    }
  }

  /// Unmatched follow-up lesions: a one-to-one match with a lesion that vanished before the previous
  /// study revives its ID (a recurrence after complete response); the rest are new lesions.
  void revive_or_start(int s, std::optional<int> g, const std::vector<int>& unmatched) {
    std::vector<int> gone;  // tracks last seen before study s - 1, not merged away
    for (std::size_t t = 0; t < out_.lesions.size(); ++t) {
      const auto& tr = out_.lesions[t];
      if (tr.merged_into || tr.timeline.empty() || tr.timeline.back().study >= s - 1) continue;
      gone.push_back(int(t));
    }
    std::vector<bool> placed(unmatched.size(), false);
    if (!gone.empty() && !unmatched.empty()) {
      std::vector<ResponseLesion> old, now;
      for (int t : gone) {
        const auto& last = out_.lesions[t].timeline.back();
        const auto& l = studies_[last.study].lesions[last.lesion];
        old.push_back(with_context(l, g ? &courses_[*g].context[last.study][last.lesion] : nullptr));
      }
      for (int j : unmatched) now.push_back(with_context(studies_[s].lesions[j], g ? &courses_[*g].context[s][j] : nullptr));
      if (auto a = assess_response(old, now, rules_))
        for (const auto& group : a->groups) {
          if (group.baseline.size() != 1 || group.followup.size() != 1) continue;
          const int t = gone[group.baseline.front()];
          const int k = group.followup.front();
          const int j = unmatched[k];
          const auto& last = out_.lesions[t].timeline.back();
          append(t, s, j, "reappeared", true);
          out_.lineage.push_back({LineageEvent::Kind::reappearance, s, {out_.lesions[t].id}, {out_.lesions[t].id}});
          out_.notes.push_back(out_.lesions[t].id + " reappears at " + to_iso(studies_[s].date) + " (" +
                               studies_[s].label + "), not seen since " + to_iso(last.date) +
                               ": counted as progression (recurrence after complete response)");
          placed[k] = true;
        }
    }
    for (std::size_t k = 0; k < unmatched.size(); ++k)
      if (!placed[k]) append(new_track(), s, unmatched[k], "first_seen", false);
  }

  const LesionAppearance* appearance_at(int track, int s) const {
    for (const auto& a : out_.lesions[track].timeline)
      if (a.study == s) return &a;
    return nullptr;
  }

  /// Roles and the treated rule of every lesion for course c.
  void judge_course(int c) {
    const auto& course = courses_[c];
    std::optional<int> planning, first_after;
    for (std::size_t s = 0; s < studies_.size(); ++s) {
      if (studies_[s].date <= course.date) planning = int(s);
      else if (!first_after) first_after = int(s);
    }
    const std::optional<int> start = planning ? planning : first_after;
    if (!planning && first_after)
      out_.notes.push_back("no PET study before course " + course.plan_uid + " (" + to_iso(course.date) +
                           "): the lesions of " + studies_[*first_after].label +
                           " are taken as present at treatment");
    start_study_.push_back(start);
    const std::size_t n = out_.lesions.size();
    role_.emplace_back(n, Role::absent);
    treated_.emplace_back(n, false);
    treated_rule_.emplace_back(n);
    if (!start) return;
    for (std::size_t t = 0; t < n; ++t) {
      const LesionTrack& tr = out_.lesions[t];
      if (const LesionAppearance* a = appearance_at(int(t), *start)) {
        role_[c][t] = Role::present;
        const auto [treated, rule] = treated_rule(
            with_context(studies_[a->study].lesions[a->lesion], &course.context[a->study][a->lesion]), rules_);
        treated_[c][t] = treated;
        treated_rule_[c][t] = rule;
        if (treated) out_.lesions[t].treated_by.push_back(c);
        continue;
      }
      const bool after = std::any_of(tr.timeline.begin(), tr.timeline.end(),
                                     [&](const LesionAppearance& a) { return a.study > *start; });
      if (!after) continue;
      // A split fragment first seen after the course is part of a lesion present at it.
      if (tr.split_from) {
        const int parent = std::stoi(tr.split_from->substr(1)) - 1;
        if (role_[c][parent] == Role::present) {
          role_[c][t] = Role::present;
          treated_[c][t] = treated_[c][parent];
          treated_rule_[c][t] = treated_rule_[c][parent].empty() ? "" : "split from " + *tr.split_from + ": " +
                                                                            treated_rule_[c][parent];
          if (treated_[c][t]) out_.lesions[t].treated_by.push_back(c);
          continue;
        }
      }
      role_[c][t] = Role::new_after;
    }
  }

  /// The next course after c that treats track t again.
  std::optional<int> next_treating_course(int t, int c) const {
    for (int k : out_.lesions[t].treated_by)
      if (k > c) return k;
    return std::nullopt;
  }

  ResponseLesion in_course(int c, const LesionAppearance& a) const {
    return with_context(studies_[a.study].lesions[a.lesion], &courses_[c].context[a.study][a.lesion]);
  }

  void course_outcomes(int c) {
    const auto& course = courses_[c];
    CourseEvents ev;
    ev.course = c;
    for (std::size_t s = 0; s < studies_.size(); ++s)
      if (studies_[s].date <= course.date) ev.planning_study = int(s);
    const std::optional<int> start = start_study_[c];
    const int last = int(studies_.size()) - 1;

    // Patient-level progression: the first study after the plan date with a progressing or new lesion.
    std::optional<int> last_after;
    for (int s = 0; s <= last; ++s) {
      if (!(course.date < studies_[s].date)) continue;
      last_after = s;
      const auto& st = out_.studies[s];
      if (st.assessed && st.percist_progression && !ev.progression_study) {
        ev.progression_study = s;
        ev.progression_date = st.date;
        ev.days_to_progression = days_between(course.date, st.date);
        ev.percist_call = "PMD (PERCIST 1.0): " + std::to_string(st.progressing) + " progressing, " +
                          std::to_string(st.new_lesions) + " new";
        ev.ppp_call = st.ppp_call;
      }
      if (st.assessed && st.ppp_by_imaging && !ev.ppp_study) {
        ev.ppp_study = s;
        ev.days_to_ppp = days_between(course.date, st.date);
      }
    }
    if (ev.progression_study) {
      ev.days_followed = ev.days_to_progression;
    } else if (last_after) {
      ev.censored = true;
      ev.censored_at = studies_[*last_after].date;
      ev.days_followed = days_between(course.date, studies_[*last_after].date);
    }
    out_.courses.push_back(ev);

    // Per lesion.
    for (std::size_t t = 0; t < out_.lesions.size(); ++t) {
      if (role_[c][t] == Role::absent) continue;
      LesionTrack& tr = out_.lesions[t];
      LesionCourseOutcome o;
      o.course = c;
      o.treated = treated_[c][t];
      o.treated_rule = treated_rule_[c][t];
      if (role_[c][t] == Role::new_after) {
        const LesionAppearance* first = nullptr;
        for (const auto& a : tr.timeline)
          if (a.study > *start) {
            first = &a;
            break;
          }
        o.outcome = LesionOutcome::new_lesion;
        o.failure_study = first->study;
        o.failure_date = first->date;
        o.days_to_failure = o.days_followed = days_between(course.date, first->date);
        o.location_rule = location_rule(in_course(c, *first), rules_).second;
        tr.outcomes.push_back(o);
        continue;
      }
      // Window: after the start study, up to the planning study of the next course treating it again.
      int window_end = last;
      if (auto next = next_treating_course(int(t), c)) window_end = start_study_[*next].value_or(-1);
      const LesionAppearance* ref = appearance_at(int(t), *start);
      const std::string ptv = ref ? courses_[c].context[ref->study][ref->lesion].ptv : "";
      std::optional<int> censor;
      for (int s = *start + 1; s <= window_end && !o.failure_study; ++s) {
        censor = s;
        if (const LesionAppearance* a = appearance_at(int(t), s); a && a->progressing) {
          const auto [loc, why] = location_rule(in_course(c, *a), rules_);
          o.location_rule = why;
          if (!o.treated) o.outcome = LesionOutcome::out_of_field_progression;
          else o.outcome = loc == FieldLocation::in_field ? LesionOutcome::local_failure : LesionOutcome::marginal_failure;
          o.failure_study = s;
          o.note = a->change == "reappeared" ? "reappeared after complete response" : "progressing (" + a->change + ")";
          break;
        }
        if (o.treated && !ptv.empty()) attribute_new_lesions(c, int(t), s, ptv, o);
      }
      if (o.failure_study) {
        o.failure_date = studies_[*o.failure_study].date;
        o.days_to_failure = o.days_followed = days_between(course.date, *o.failure_date);
      } else if (censor) {
        o.outcome = o.treated ? LesionOutcome::controlled : LesionOutcome::not_progressed;
        o.censored_at = studies_[*censor].date;
        o.days_followed = days_between(course.date, *o.censored_at);
      } else {
        o.outcome = LesionOutcome::not_evaluable;
        o.note = "no PET study after the course" +
                 std::string(window_end < last ? " before the lesion was treated again" : "");
      }
      tr.outcomes.push_back(o);
    }
  }

  /// A lesion first seen at study s after course c, in course c's field or at its margin around the PTV
  /// the treated lesion lay in, is that lesion's failure (a marginal recurrence is usually a new lesion:
  /// the response rules do not link a lesion inside a PTV to one outside it).
  void attribute_new_lesions(int c, int t, int s, const std::string& ptv, LesionCourseOutcome& o) const {
    for (std::size_t u = 0; u < out_.lesions.size(); ++u) {
      if (int(u) == t || role_[c][u] != Role::new_after) continue;
      const LesionAppearance& first = out_.lesions[u].timeline.front();
      if (first.study != s) continue;
      const ResponseLesion l = in_course(c, first);
      if (l.ptv != ptv) continue;
      const auto [loc, why] = location_rule(l, rules_);
      if (loc != FieldLocation::in_field && loc != FieldLocation::marginal) continue;
      o.outcome = loc == FieldLocation::in_field ? LesionOutcome::local_failure : LesionOutcome::marginal_failure;
      o.failure_study = s;
      o.location_rule = why;
      o.note = "new lesion " + out_.lesions[u].id + (loc == FieldLocation::in_field ? " in the field of " : " at the margin of ") +
               ptv;
      return;
    }
  }
};

}  // namespace

const char* outcome_name(LesionOutcome o) {
  switch (o) {
    case LesionOutcome::controlled: return "controlled";
    case LesionOutcome::local_failure: return "local_failure";
    case LesionOutcome::marginal_failure: return "marginal_failure";
    case LesionOutcome::out_of_field_progression: return "out_of_field_progression";
    case LesionOutcome::new_lesion: return "new";
    case LesionOutcome::not_progressed: return "not_progressed";
    case LesionOutcome::not_evaluable: return "not_evaluable";
  }
  return "?";
}

const char* lineage_name(LineageEvent::Kind k) {
  switch (k) {
    case LineageEvent::Kind::split: return "split";
    case LineageEvent::Kind::merge: return "merge";
    case LineageEvent::Kind::reappearance: return "reappearance";
  }
  return "?";
}

Expected<LesionHistory> build_lesion_history(const std::vector<LesionStudy>& studies,
                                             const std::vector<LesionCourse>& courses, const ResponseRules& rules) {
  return HistoryBuilder(studies, courses, rules).run();
}

std::vector<LocalControlSubject> local_control_subjects(const LesionHistory& h, bool count_marginal) {
  std::vector<LocalControlSubject> out;
  for (const auto& t : h.lesions)
    for (const auto& o : t.outcomes) {
      if (!o.treated || !o.days_followed) continue;
      const bool event = o.outcome == LesionOutcome::local_failure ||
                         (count_marginal && o.outcome == LesionOutcome::marginal_failure);
      out.push_back({t.id, o.course, {double(*o.days_followed), event}});
    }
  return out;
}

std::vector<SurvivalTime> survival_times(const std::vector<LocalControlSubject>& subjects) {
  std::vector<SurvivalTime> out;
  out.reserve(subjects.size());
  for (const auto& s : subjects) out.push_back(s.time);
  return out;
}

}  // namespace sbrtkit
