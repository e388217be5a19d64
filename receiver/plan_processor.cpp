// Processing of complete plans (plan_processor.h).
#include "plan_processor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "io/output_file.h"
#include "log_line.h"
#include "sbrtkit/pipelines/qa.h"
#include "sbrtkit/pipelines/report.h"
#include "sbrtkit/report/check_output.h"
#include "sbrtkit/report/html_report.h"
#include "sbrtkit/report/qa_output.h"

namespace sbrtkit::receiver {
namespace fs = std::filesystem;
namespace {

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The plan's spool files relative to the study folder, sorted, one a line: what identifies its inputs
/// (objects are never rewritten under the same SOP UID, so names are enough).
std::string inputs_of(const PlanJob& job, const fs::path& study_dir) {
  std::vector<std::string> names;
  for (const auto& f : job.files()) names.push_back(f.lexically_relative(study_dir).generic_string());
  std::sort(names.begin(), names.end());
  std::string text;
  for (const auto& n : names) text += n + "\n";
  return text;
}

bool complete(const PlanJob& job) {
  return job.rtplan && job.rtstruct && !job.rtdoses.empty() && !job.images.empty() && !job.link_error;
}

/// Moves the files of an earlier result into previous/<n>/ (n = 1, 2, ...), so nothing is overwritten.
Status keep_previous(const fs::path& result_dir) {
  int n = 1;
  while (fs::exists(result_dir / "previous" / std::to_string(n))) ++n;
  const fs::path to = result_dir / "previous" / std::to_string(n);
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Error::io(to.string(), "cannot create folder: " + ec.message());
  for (const auto& e : fs::directory_iterator(result_dir)) {
    if (!e.is_regular_file()) continue;
    fs::rename(e.path(), to / e.path().filename(), ec);
    if (ec) return Error::io(e.path().string(), "cannot move to " + to.string() + ": " + ec.message());
  }
  return ok();
}

}  // namespace

PlanProcessor::PlanProcessor(fs::path out_dir, std::optional<std::string> protocol,
                             std::optional<BatchEvaluator> evaluator, ResultsDb db)
    : out_dir_(std::move(out_dir)), protocol_(std::move(protocol)), evaluator_(std::move(evaluator)), db_(std::make_unique<ResultsDb>(std::move(db))) {}

Expected<PlanProcessor> PlanProcessor::create(const fs::path& out_dir, const std::optional<std::string>& protocol) {
  std::optional<BatchEvaluator> evaluator;
  if (protocol) {
    auto e = make_check_evaluator(*protocol, [](const CheckResult& c) { return format_check_json(c); });
    if (!e) return e.error();
    evaluator = std::move(*e);
  }
  auto db = ResultsDb::open(out_dir / "results.sqlite");
  if (!db) return db.error();
  return PlanProcessor(out_dir, protocol, std::move(evaluator), std::move(*db));
}

int PlanProcessor::process_study(const fs::path& study_dir) {
  auto trial = discover_plans(study_dir);
  if (!trial) {
    log_line(fmt::format("study {}: cannot index: {}", study_dir.string(), trial.error().message()));
    return 0;
  }
  const std::string patient = study_dir.parent_path().filename().string();
  int processed = 0;
  for (auto job : trial->plans) {
    if (!complete(job)) continue;
    // A re-sent plan brings a new RTDOSE next to the old one: the dose received last is the one evaluated.
    std::stable_sort(job.rtdoses.begin(), job.rtdoses.end(), [](const fs::path& a, const fs::path& b) {
      std::error_code ea, eb;
      return fs::last_write_time(a, ea) > fs::last_write_time(b, eb);
    });
    const fs::path result_dir = out_dir_ / "results" / patient / job.plan_uid;
    const std::string inputs = inputs_of(job, study_dir);
    if (fs::exists(result_dir / "inputs.txt") && read_text(result_dir / "inputs.txt") == inputs) continue;
    process_plan(job, result_dir, inputs);
    ++processed;
  }
  return processed;
}

void PlanProcessor::process_plan(const PlanJob& job_in, const fs::path& result_dir, const std::string& inputs) {
  const auto start = std::chrono::steady_clock::now();
  const std::string what = fmt::format("plan {} ({}, patient '{}')", job_in.plan_uid, job_in.plan_label, job_in.patient_id);
  std::error_code ec;
  if (fs::exists(result_dir)) {
    if (auto s = keep_previous(result_dir); !s) {
      log_line(fmt::format("{}: not processed: {}", what, s.error().message()));
      return;
    }
  }
  fs::create_directories(result_dir, ec);
  PlanJob job = job_in;
  std::vector<std::string> problems;

  // The database row: the batch evaluation when a protocol is given, else the plan without constraints.
  PlanResult row;
  if (evaluator_) {
    auto fp = fingerprint_plan(job, out_dir_ / "incoming", evaluator_->identity);
    if (fp) job.input_fingerprint = *fp;
    row = evaluator_->evaluate(job);
    if (!row.check_json.empty()) {
      if (auto s = write_file_atomically(result_dir / "check.json", row.check_json); !s) problems.push_back(s.error().message());
    } else {
      problems.push_back("check: " + row.error);
    }
  } else {
    row.job = job;
  }

  QaRequest qa;
  qa.plan.rtstruct = *job.rtstruct;
  qa.plan.rtdose = job.rtdoses.front();
  qa.plan.rtplan = job.rtplan;
  auto q = run_qa(qa);
  if (q) {
    if (auto s = write_file_atomically(result_dir / "qa.json", format_qa_json(*q)); !s) problems.push_back(s.error().message());
    if (!evaluator_) {
      row.status = PlanStatus::evaluated;
      row.fractions = q->inputs.fractions;
      row.prescription_gy = q->inputs.prescription_gy;
      row.warnings = q->inputs.warnings;
    }
  } else {
    problems.push_back("qa: " + q.error().message());
    if (!evaluator_) row.error = q.error().message();
  }

  ReportRequest rr;
  rr.rtstruct = *job.rtstruct;
  rr.rtdose = job.rtdoses.front();
  rr.rtplan = job.rtplan;
  rr.ct_directory = job.images.front().parent_path();
  rr.protocol = protocol_;
  auto report = run_report(rr);
  if (report) {
    auto html = format_report_html(report->content);
    if (html) {
      if (auto s = write_file_atomically(result_dir / "report.html", *html); !s) problems.push_back(s.error().message());
    } else {
      problems.push_back("report: " + html.error().message());
    }
  } else {
    problems.push_back("report: " + report.error().message());
  }

  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (auto s = db_->store(row, out_dir_ / "incoming"); !s) problems.push_back("results.sqlite: " + s.error().message());
  // Last: the marker that this version of the plan is done (a kill before it re-runs the plan).
  if (auto s = write_file_atomically(result_dir / "inputs.txt", inputs); !s) problems.push_back(s.error().message());

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log_line(fmt::format("{}: processed in {:.1f} s: {} -> {}{}", what, seconds,
                       row.status == PlanStatus::evaluated ? (row.overall.empty() ? std::string("evaluated") : row.overall)
                                                           : "error: " + row.error,
                       result_dir.string(), problems.empty() ? "" : fmt::format(" (problems: {})", fmt::join(problems, "; "))));
}

}  // namespace sbrtkit::receiver
