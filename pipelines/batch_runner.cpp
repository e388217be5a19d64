// `sbrtkit batch`: discovery, sharding, fingerprints, the worker pool and the per-plan outputs.
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "batch_output.h"
#include "core/fnv1a64.h"
#include "io/results_db.h"
#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/pipelines/batch.h"
#include "io/output_file.h"
#include "sbrtkit/version.h"

namespace sbrtkit {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

PlanJob job_from_bundle(const PlanBundle& b) {
  PlanJob j;
  j.plan_uid = b.plan_uid();
  j.plan_label = b.plan_label();
  const DicomFileInfo* any = b.rtplan ? &*b.rtplan : b.rtstruct ? &*b.rtstruct : !b.rtdoses.empty() ? &b.rtdoses.front()
                                                                                                   : nullptr;
  if (any) {
    j.patient_id = any->patient_id;
    j.patient_name = any->patient_name;
    j.frame_of_reference_uid = any->frame_of_reference_uid;
  }
  if (b.rtplan) j.rtplan = b.rtplan->path;
  if (b.rtstruct) j.rtstruct = b.rtstruct->path;
  for (const auto& d : b.rtdoses) j.rtdoses.push_back(d.path);
  j.images = b.image_files;
  j.problems = b.problems;
  if (!j.plan_uid.empty())
    j.key = j.plan_uid;
  else if (b.rtstruct)
    j.key = "rtstruct:" + b.rtstruct->sop_instance_uid;
  else if (!b.rtdoses.empty())
    j.key = "rtdose:" + b.rtdoses.front().sop_instance_uid;
  return j;
}

/// The worker threads share the cores: each gets an equal share of OpenMP threads for the DVH kernels.
int omp_threads_per_worker(int workers) {
  const int cores = std::max(1, int(std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, workers));
}

}  // namespace

std::vector<std::filesystem::path> PlanJob::files() const {
  std::vector<fs::path> out;
  if (rtplan) out.push_back(*rtplan);
  if (rtstruct) out.push_back(*rtstruct);
  out.insert(out.end(), rtdoses.begin(), rtdoses.end());
  out.insert(out.end(), images.begin(), images.end());
  return out;
}

const char* to_string(PlanStatus status) { return status == PlanStatus::evaluated ? "evaluated" : "error"; }

Expected<Shard> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  auto bad = [&] { return Error::bad_argument("--shard", "I/N with 1 <= I <= N, e.g. 2/8", std::string(text)); };
  if (slash == std::string_view::npos) return bad();
  Shard s;
  try {
    std::size_t used_i = 0, used_n = 0;
    const std::string i_text(text.substr(0, slash)), n_text(text.substr(slash + 1));
    s.index = std::stoi(i_text, &used_i);
    s.count = std::stoi(n_text, &used_n);
    if (used_i != i_text.size() || used_n != n_text.size()) return bad();
  } catch (const std::exception&) {
    return bad();
  }
  if (s.count < 1 || s.index < 1 || s.index > s.count) return bad();
  return s;
}

bool in_shard(std::string_view plan_key, const Shard& shard) {
  return shard.count <= 1 || detail::fnv1a64(plan_key) % std::uint64_t(shard.count) == std::uint64_t(shard.index - 1);
}

Expected<TrialIndex> discover_plans(const std::filesystem::path& root) {
  const auto t0 = Clock::now();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Error::io(root.string(), "not a folder");
  TrialIndex trial;
  trial.root = root;
  DicomIndex index = index_directory(root);
  trial.dicom_files = index.files.size();
  trial.non_dicom_files = index.non_dicom_files;
  trial.unreadable = std::move(index.unreadable);
  // Patient by patient: a trial's linking never crosses patients, and find_plans scans every file of
  // its index per plan, which would be quadratic over a whole trial.
  std::map<std::string, DicomIndex> by_patient;
  for (auto& f : index.files) {
    DicomIndex& group = by_patient[f.patient_id];
    group.root = root;
    group.files.push_back(std::move(f));
  }
  std::map<std::string, const DicomFileInfo*> rtplans;  // every RTPLAN of the trial by SOP instance UID
  for (const auto& [patient, group] : by_patient)
    for (const auto& f : group.files)
      if (f.modality == "RTPLAN") rtplans[f.sop_instance_uid] = &f;
  for (const auto& [patient, group] : by_patient)
    for (const auto& bundle : find_plans(group)) {
      PlanJob job = job_from_bundle(bundle);
      const auto foreign = bundle.rtplan ? rtplans.end() : rtplans.find(job.plan_uid);
      if (foreign != rtplans.end() && !bundle.rtdoses.empty()) {
        job.key = "rtdose:" + bundle.rtdoses.front().sop_instance_uid;
        job.link_error = fmt::format(
            "RTDOSE {} (patient '{}') references RTPLAN {}, which is {} of patient '{}': doses exported with the "
            "wrong plan reference are not evaluated",
            bundle.rtdoses.front().path.string(), job.patient_id, job.plan_uid, foreign->second->path.string(),
            foreign->second->patient_id);
      }
      trial.plans.push_back(std::move(job));
    }
  // Unique keys: a UID seen twice (two copies of a plan) gets #2, #3 in path order.
  auto first_path = [](const PlanJob& j) { return j.files().empty() ? fs::path() : j.files().front(); };
  std::stable_sort(trial.plans.begin(), trial.plans.end(), [&](const PlanJob& a, const PlanJob& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.rtplan.has_value() != b.rtplan.has_value()) return a.rtplan.has_value();
    return first_path(a) < first_path(b);
  });
  std::map<std::string, int> seen;
  for (auto& j : trial.plans) {
    const int n = ++seen[j.key];
    if (n > 1) {
      j.problems.push_back(fmt::format("plan UID {} also found elsewhere in the tree: this copy is '{}#{}'", j.key,
                                       j.key, n));
      j.key += fmt::format("#{}", n);
    }
  }
  std::sort(trial.plans.begin(), trial.plans.end(), [](const PlanJob& a, const PlanJob& b) { return a.key < b.key; });
  trial.seconds = seconds_since(t0);
  return trial;
}

Expected<std::string> fingerprint_plan(const PlanJob& job, const std::filesystem::path& root,
                                       std::string_view evaluator_identity) {
  std::uint64_t h = detail::fnv1a64(evaluator_identity);
  std::uint64_t h2 = detail::fnv1a64(evaluator_identity, 0x9e3779b97f4a7c15ull);
  auto add = [&](std::string_view s) {
    h = detail::fnv1a64(s, h);
    h2 = detail::fnv1a64(s, h2);
  };
  add(job.key);
  for (const auto& f : job.files()) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (ec) return Error::io(f.string(), "cannot read its size: " + ec.message());
    const auto mtime = fs::last_write_time(f, ec);
    if (ec) return Error::io(f.string(), "cannot read its modification time: " + ec.message());
    add(fmt::format("{}\n{}\n{}\n", fs::relative(f, root, ec).generic_string(), size,
                    mtime.time_since_epoch().count()));
  }
  return fmt::format("{:016x}{:016x}", h, h2);
}

Expected<BatchSummary> run_batch(const BatchOptions& options, const BatchEvaluator& evaluator,
                                 const ProgressSink& progress) {
  const auto t0 = Clock::now();
  const std::string started = utc_now();
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) return Error::io(options.root.string(), "batch root is not a folder");
  fs::create_directories(options.out_dir / "plans", ec);
  if (ec) return Error::io(options.out_dir.string(), "cannot create the output folder: " + ec.message());
  auto db = ResultsDb::open(options.out_dir / "results.sqlite");
  if (!db) return db.error();

  auto trial = discover_plans(options.root);
  if (!trial) return trial.error();
  BatchSummary summary;
  summary.discovered = trial->plans.size();
  summary.dicom_files = trial->dicom_files;
  summary.non_dicom_files = trial->non_dicom_files;
  summary.unreadable = trial->unreadable;
  summary.discovery_s = trial->seconds;

  std::set<std::string> present;  // every plan in the tree, whatever the shard
  for (const auto& j : trial->plans) present.insert(j.key);
  std::vector<PlanJob> jobs;
  for (auto& j : trial->plans) {
    if (!in_shard(j.key, options.shard)) continue;
    auto fp = fingerprint_plan(j, options.root, evaluator.identity);
    // A file that vanished between indexing and now: evaluate anyway (the evaluation reports it) and
    // never match a stored fingerprint.
    j.input_fingerprint = fp ? *fp : "unreadable: " + fp.error().message();
    jobs.push_back(std::move(j));
  }
  summary.in_shard = jobs.size();
  auto stored = db->stored_plans();
  if (!stored) return stored.error();
  {
    // Plans of this shard that an earlier run stored but the tree no longer holds.
    for (const auto& [key, plan] : *stored)
      if (!present.count(key) && in_shard(key, options.shard)) summary.removed.push_back(key);
    if (auto s = db->remove(summary.removed); !s) return s.error();
    for (const auto& key : summary.removed) {
      fs::remove(options.out_dir / "plans" / plan_json_name(key), ec);
      stored->erase(key);
    }
  }
  std::vector<const PlanJob*> todo;
  for (const auto& j : jobs) {
    const auto it = stored->find(j.key);
    const bool current = it != stored->end() && it->second.input_fingerprint == j.input_fingerprint &&
                         fs::exists(options.out_dir / "plans" / plan_json_name(j.key), ec);
    if (current && !options.force) {
      // Skipped plans still count in the outcome: a rerun exits as the complete run did.
      ++summary.skipped;
      if (it->second.status == "error") ++summary.failed;
      if (it->second.result == "major") ++summary.major;
    } else {
      todo.push_back(&j);
    }
  }

  const int requested = options.jobs > 0 ? options.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  const int workers = std::max(1, std::min<int>(requested, int(todo.size())));
  summary.jobs = requested;
  BatchProgress state;
  state.total = jobs.size();
  state.done = state.skipped = summary.skipped;
  state.failed = summary.failed;
  state.major = summary.major;
  if (progress) progress(state);

  // Workers take plans in order; finished results wait in a short queue for the writer (this thread).
  // The queue is bounded so that a slow disk cannot make results pile up in memory.
  std::mutex mutex;
  std::condition_variable result_ready, room_ready;
  std::deque<PlanResult> finished;
  const std::size_t max_queued = std::size_t(2 * workers);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  const int omp_threads = omp_threads_per_worker(workers);
  auto work = [&] {
    omp_set_num_threads(omp_threads);
    for (std::size_t i; !stop && (i = next++) < todo.size();) {
      const auto start = Clock::now();
      PlanResult r;
      try {
        r = evaluator.evaluate(*todo[i]);
      } catch (const std::exception& e) {
        r = PlanResult{};
        r.error = std::string("internal error: ") + e.what();
      }
      r.job = *todo[i];
      if (r.protocol_id.empty()) r.protocol_id = evaluator.protocol_id;
      if (r.protocol_version.empty()) r.protocol_version = evaluator.protocol_version;
      r.seconds = seconds_since(start);
      std::unique_lock lock(mutex);
      room_ready.wait(lock, [&] { return finished.size() < max_queued || stop; });
      finished.push_back(std::move(r));
      result_ready.notify_one();
    }
  };
  std::vector<std::thread> pool;
  if (!todo.empty())
    for (int w = 0; w < workers; ++w) pool.emplace_back(work);

  const auto eval_start = Clock::now();
  std::optional<Error> fatal;
  std::size_t evaluated_now = 0;
  for (std::size_t stored_count = 0; stored_count < todo.size() && !fatal; ++stored_count) {
    PlanResult r;
    {
      std::unique_lock lock(mutex);
      result_ready.wait(lock, [&] { return !finished.empty(); });
      r = std::move(finished.front());
      finished.pop_front();
      room_ready.notify_one();
    }
    if (auto s = write_file_atomically(options.out_dir / "plans" / plan_json_name(r.job.key),
                                       format_plan_json(r, options.root));
        !s)
      fatal = s.error();
    else if (auto s2 = db->store(r, options.root); !s2)
      fatal = s2.error();
    if (fatal) break;
    ++summary.evaluated;
    ++evaluated_now;
    if (r.status == PlanStatus::error) ++summary.failed;
    if (r.status == PlanStatus::evaluated && r.overall == "major") ++summary.major;
    state.done = summary.skipped + summary.evaluated;
    state.evaluated = summary.evaluated;
    state.failed = summary.failed;
    state.major = summary.major;
    state.elapsed_s = seconds_since(t0);
    const double per_plan = seconds_since(eval_start) / double(evaluated_now);
    state.eta_s = per_plan * double(todo.size() - evaluated_now);
    state.last = &r;
    if (progress) progress(state);
    state.last = nullptr;
  }
  {
    std::lock_guard lock(mutex);
    stop = fatal.has_value();
    room_ready.notify_all();
  }
  for (auto& t : pool) t.join();
  if (fatal) return *fatal;

  summary.seconds = seconds_since(t0);
  RunRecord run{started,
                utc_now(),
                options.root.string(),
                fmt::format("{}/{}", options.shard.index, options.shard.count),
                evaluator.protocol_id,
                requested,
                summary.discovered,
                summary.in_shard,
                summary.skipped,
                summary.evaluated,
                summary.failed,
                summary.seconds};
  if (auto s = db->record_run(run); !s) return s.error();
  if (auto s = db->export_csv(options.out_dir); !s) return s.error();
  if (auto s = write_file_atomically(options.out_dir / "batch.json", format_summary_json(summary, options, evaluator));
      !s)
    return s.error();
  return summary;
}

}  // namespace sbrtkit
