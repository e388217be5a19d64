#pragma once
/// Lesion histories over a patient's whole follow-up: M PET studies in date order, each with its lesions
/// already mapped into one reference frame, and N SBRT courses, each with its plan and dose at every
/// lesion of every study. Lesions are chained study to study with the `response` rules (core/response.h,
/// assess_response on each consecutive pair), so a lesion keeps one ID ("L1", "L2", ...) from first sight
/// to last; splits and merges are recorded. Per lesion: its timeline, the courses that treated it (the
/// `response` "treated" rule judged on that course's plan and dose) and its outcome after each course;
/// per course: the first radiographic progression after it (PERCIST and PPP calls) or censoring at the
/// last study; per study: oligo- or polyprogression. Pure computation.
///
/// Rules (the ones a physicist needs to check the numbers):
/// - Chaining. Pair (s-1, s) is matched by assess_response with the dose context of the latest course
///   planned before study s (none before the first course). In a match group every follow-up lesion
///   belongs to the baseline lesion it overlaps most; of the follow-up lesions of one baseline lesion the
///   one overlapping it most keeps its ID, the others are split fragments with new IDs (split_from); a
///   baseline lesion no follow-up lesion belongs to ends there, merged into the one it overlaps most
///   (merged_into). A follow-up lesion left unmatched is compared (same rules) with lesions that
///   vanished at earlier studies and takes a vanished lesion's ID when it matches it one-to-one
///   (reappearance: counted as progression, a recurrence after complete response); otherwise it is new.
/// - Treated by course c: the lesion's appearance at c's planning study (the last study on or before the
///   plan date) satisfies the treated rule with c's dose context. Without any study before the course,
///   the lesions of the first study after it are taken as present at treatment.
/// - Window of course c for a lesion: the studies after the plan date, up to the planning study of the
///   next course that treats the same lesion again, or to the last study.
/// - Outcome after course c. Treated lesion: the first study of its window at which it progresses
///   (PERCIST change against the previous study, or reappearance) is a local failure when the lesion then
///   lies in course c's field (in-field rule of the `response` location), a marginal failure otherwise;
///   a lesion first seen in the window whose location on course c is in-field or marginal to the same PTV
///   also counts as that failure of the treated lesion. No failure: controlled, censored at the last study
///   of the window. Lesion present at the course but not treated: out-of-field progression at its first
///   progression, else not_progressed. Lesion absent at the planning study and seen after the plan date
///   (first seen then, or back after a complete response; split fragments of a lesion present at the
///   course excepted, they inherit its treated status): new, with the date it was seen again. Courses without any later study: not_evaluable.
/// - Patient progression after course c: the first later study whose pair assessment shows a progressing
///   or new lesion (PERCIST 1.0 PMD, Wahl 2009; with the PPP call of Fanti 2020); none: censored at the
///   last study.
///
///   auto h = build_lesion_history(studies, courses, rules);
///   for (const auto& t : h->lesions) puts(t.id.c_str());
///   auto km = kaplan_meier(survival_times(local_control_subjects(*h)));

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/calendar_date.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/kaplan_meier.h"
#include "sbrtkit/response.h"

namespace sbrtkit {

/// The dose context of one lesion appearance under one course (the fields of ResponseLesion that depend
/// on the plan): nearest PTV, signed centroid distance to it, its Rx, dose at the centroid and per point.
struct LesionDoseContext {
  std::string ptv;
  std::optional<double> ptv_distance_mm;  // negative inside
  std::optional<double> prescription_gy;
  std::optional<double> centroid_dose_gy;
  std::vector<std::optional<double>> point_dose_gy;  // one per ResponseLesion::points, or empty
};

struct LesionStudy {
  std::string label;  // e.g. the PET series UID, used in messages
  CalendarDate date;
  /// Lesions in the reference frame. Their own dose-context fields are ignored: each course supplies its own.
  std::vector<ResponseLesion> lesions;
};

struct LesionCourse {
  std::string plan_uid;
  CalendarDate date;  // plan date
  /// context[s][i]: this course's plan and dose at lesion i of study s (sizes must match the studies).
  std::vector<std::vector<LesionDoseContext>> context;
};

enum class LesionOutcome { controlled, local_failure, marginal_failure, out_of_field_progression, new_lesion,
                           not_progressed, not_evaluable };
/// "controlled", "local_failure", "marginal_failure", "out_of_field_progression", "new", "not_progressed",
/// "not_evaluable".
const char* outcome_name(LesionOutcome o);

struct LesionAppearance {
  int study = 0;   // index into the studies
  int lesion = 0;  // index into that study's lesions
  CalendarDate date;
  PatientPoint centroid;
  double suv_max = 0, suv_peak = 0, mtv_ml = 0, tlg = 0;
  std::string change;  // against the previous study: "first_seen", "reappeared", or change_name()
  bool progressing = false;  // PERCIST progression against the previous study, or reappearance
};

struct LesionCourseOutcome {
  int course = 0;  // index into the courses
  bool treated = false;
  std::string treated_rule;  // from the response rule, "" when not treated
  LesionOutcome outcome = LesionOutcome::not_evaluable;
  std::optional<CalendarDate> failure_date;  // local/marginal failure, out-of-field progression, new
  std::optional<int> days_to_failure;        // from the course's plan date
  std::optional<int> failure_study;
  std::optional<int> days_followed;          // to the failure, or to the censoring study
  std::optional<CalendarDate> censored_at;   // no failure: the last study of the window
  std::string location_rule;                 // why in-field / marginal / out-of-field, when it failed
  std::string note;
};

struct LesionTrack {
  std::string id;  // "L1", ...: numbered in order of first sight
  std::vector<LesionAppearance> timeline;  // ascending study
  std::optional<std::string> split_from;   // split fragment of this lesion
  std::optional<std::string> merged_into;  // ended by merging into this lesion
  std::vector<int> treated_by;             // course indices
  std::vector<LesionCourseOutcome> outcomes;  // one per course the lesion was present at or appeared after
};

struct LineageEvent {
  enum class Kind { split, merge, reappearance } kind = Kind::split;
  int study = 0;  // the study at which it was seen
  std::vector<std::string> from, to;  // lesion IDs
};
const char* lineage_name(LineageEvent::Kind k);  // "split", "merge", "reappearance"

struct StudyEvents {
  int study = 0;
  CalendarDate date;
  int lesions = 0;
  std::optional<int> governing_course;  // the course whose dose context judged the pair
  /// Against the previous study (absent for the first study).
  bool assessed = false;
  int progressing = 0, new_lesions = 0;
  bool percist_progression = false;  // PMD: a progressing lesion or a new one
  bool ppp_by_imaging = false;
  std::string ppp_call, oligo_call;
  bool oligoprogression = false, polyprogression = false;
};

struct CourseEvents {
  int course = 0;
  std::optional<int> planning_study;     // the last study on or before the plan date
  std::optional<int> progression_study;  // the first later study with PERCIST progression
  std::optional<CalendarDate> progression_date;
  std::optional<int> days_to_progression;
  bool censored = false;                 // no progression up to the last study
  std::optional<CalendarDate> censored_at;
  std::optional<int> days_followed;      // to the progression or the censoring; none without a later study
  std::string percist_call, ppp_call;    // at the progression study
  std::optional<int> ppp_study;          // the first later study with PPP by imaging
  std::optional<int> days_to_ppp;
};

struct LesionHistory {
  std::vector<LesionTrack> lesions;
  std::vector<LineageEvent> lineage;
  std::vector<StudyEvents> studies;
  std::vector<CourseEvents> courses;
  std::vector<std::string> notes;
};

/// Errors (bad_argument, naming the study or course): studies or courses not in strictly ascending date
/// order, a course whose context does not have one entry per lesion of every study, invalid rules.
Expected<LesionHistory> build_lesion_history(const std::vector<LesionStudy>& studies,
                                             const std::vector<LesionCourse>& courses, const ResponseRules& rules);

/// One lesion treated by one course, as a Kaplan-Meier subject for local control: time in days from the
/// course's plan date to the local failure (event) or to the censoring study.
struct LocalControlSubject {
  std::string lesion_id;
  int course = 0;
  SurvivalTime time;
};
/// Every treated (lesion, course) outcome that has follow-up. Local failure is the event; a marginal
/// failure is an event only when count_marginal is set (it is a failure of the margin, not of the dose in
/// the lesion), otherwise it is censored at its date.
std::vector<LocalControlSubject> local_control_subjects(const LesionHistory& history, bool count_marginal = false);
std::vector<SurvivalTime> survival_times(const std::vector<LocalControlSubject>& subjects);

}  // namespace sbrtkit
