#pragma once
/// Progress of a batch on stderr: a one-line bar with plans done / total, failures and ETA when stderr is
/// a terminal; one plain log line per plan otherwise (CI logs, Slurm output files, pipes).

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "sbrtkit/pipelines/batch.h"

namespace sbrtkit::cli {

bool is_terminal(std::FILE* stream);

/// "5s", "1m20s", "2h05m".
std::string format_duration(double seconds);

class ProgressBar {
 public:
  /// terminal: redraw one line in place (at most 10 times a second); else log lines.
  ProgressBar(std::FILE* out, bool terminal, std::string command);
  void update(const BatchProgress& progress);
  /// Ends the bar's line (terminal mode).
  void finish();
  /// The bar line itself (exposed for tests), e.g. "[#####-----]  12/40 plans  30%  ETA 1m20s".
  static std::string bar_line(const BatchProgress& progress, int width);
  /// Steps of one long job (`history`): the bar with the stage's name, or one log line per stage.
  void update_step(const std::string& stage, std::size_t done, std::size_t total);
  static std::string step_line(const std::string& stage, std::size_t done, std::size_t total, double elapsed_s,
                               int width);

 private:
  void draw(const BatchProgress& progress);
  std::FILE* out_;
  bool terminal_;
  std::string command_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

/// Progress of a single-plan command that runs in stages (lesions, response): on a terminal, one line
/// redrawn in place with the current stage and the elapsed time; nothing otherwise (the summary line at
/// the end says it all in logs). Thread-safe: stages may come from worker threads.
class StageProgress {
 public:
  StageProgress(std::FILE* out, bool terminal, std::string command);
  ~StageProgress() { finish(); }
  void stage(const std::string& what);
  void finish();  // clears the line
  /// The line drawn for a stage after `seconds` (exposed for tests).
  static std::string stage_line(const std::string& command, const std::string& what, double seconds);

 private:
  std::FILE* out_;
  bool terminal_;
  std::string command_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
};

}  // namespace sbrtkit::cli
