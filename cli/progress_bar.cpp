#include "progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace sbrtkit::cli {

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

ProgressBar::ProgressBar(std::FILE* out, bool terminal, std::string command)
    : out_(out), terminal_(terminal), command_(std::move(command)) {}

std::string ProgressBar::bar_line(const BatchProgress& p, int width) {
  const double fraction = p.total ? double(p.done) / double(p.total) : 1.0;
  const int filled = int(std::floor(fraction * width));
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string temporaries.
  std::string line = "[";
  line.append(std::size_t(filled), '#');
  line.append(std::size_t(width - filled), '-');
  line += "]";
  line += fmt::format(" {}/{} plans {:3.0f}%", p.done, p.total, 100 * fraction);
  if (p.skipped) line += fmt::format("  {} up to date", p.skipped);
  if (p.failed) line += fmt::format("  {} failed", p.failed);
  if (p.major) line += fmt::format("  {} major", p.major);
  if (p.done < p.total) {
    line += "  ETA ";
    line += p.eta_s ? format_duration(*p.eta_s) : std::string("--");
  } else {
    line += "  ";
    line += format_duration(p.elapsed_s);
  }
  return line;
}

void ProgressBar::update(const BatchProgress& p) {
  if (!terminal_) {
    if (!p.last) {
      std::fprintf(out_, "sbrtkit %s: %zu plan%s in this shard, %zu up to date\n", command_.c_str(), p.total,
                   p.total == 1 ? "" : "s", p.skipped);
    } else {
      const PlanResult& r = *p.last;
      const std::string outcome =
          r.status == PlanStatus::error ? fmt::format("ERROR {}", r.error)
                                        : fmt::format("{} ({} pass, {} minor, {} major, {} not evaluable)", r.overall,
                                                      r.passed, r.minor, r.major, r.not_evaluable);
      std::fprintf(out_, "sbrtkit %s: [%zu/%zu] %s patient %s: %s, %.1f s%s\n", command_.c_str(), p.done, p.total,
                   r.job.key.c_str(), r.job.patient_id.c_str(), outcome.c_str(), r.seconds,
                   p.eta_s && p.done < p.total ? fmt::format(", ETA {}", format_duration(*p.eta_s)).c_str() : "");
    }
    std::fflush(out_);
    return;
  }
  if (p.last && p.last->status == PlanStatus::error) {
    // Errors stay on screen above the bar.
    std::fprintf(out_, "\r\033[K%s: error: plan %s (patient %s): %s\n", command_.c_str(), p.last->job.key.c_str(),
                 p.last->job.patient_id.c_str(), p.last->error.c_str());
    drawn_ = false;
  }
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && p.done < p.total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(p);
}

void ProgressBar::draw(const BatchProgress& p) {
  std::fprintf(out_, "\r\033[K%s", bar_line(p, 30).c_str());
  std::fflush(out_);
  drawn_ = true;
}

std::string ProgressBar::step_line(const std::string& stage, std::size_t done, std::size_t total, double elapsed_s,
                                   int width) {
  const double fraction = total ? double(std::min(done, total)) / double(total) : 0.0;  // 0 total: not yet known
  const int filled = int(std::floor(fraction * width));
  std::string line = "[";
  line.append(std::size_t(filled), '#');
  line.append(std::size_t(width - filled), '-');
  line += "]";
  line += fmt::format(" {:3.0f}%  {}  {}", 100 * fraction, format_duration(elapsed_s), stage);
  return line;
}

void ProgressBar::update_step(const std::string& stage, std::size_t done, std::size_t total) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (!terminal_) {
    std::fprintf(out_, "sbrtkit %s: [%zu/%zu] %s (%s)\n", command_.c_str(), done, total, stage.c_str(),
                 format_duration(elapsed).c_str());
    std::fflush(out_);
    return;
  }
  std::fprintf(out_, "\r\033[K%s", step_line(stage, done, total, elapsed, 30).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (terminal_ && drawn_) std::fputc('\n', out_);
  drawn_ = false;
  std::fflush(out_);
}

StageProgress::StageProgress(std::FILE* out, bool terminal, std::string command)
    : out_(out), terminal_(terminal), command_(std::move(command)) {}

std::string StageProgress::stage_line(const std::string& command, const std::string& what, double seconds) {
  return fmt::format("sbrtkit {}: {} ... ({})", command, what, format_duration(seconds));
}

void StageProgress::stage(const std::string& what) {
  if (!terminal_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(out_, "\r\033[K%s", stage_line(command_, what, s).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void StageProgress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace sbrtkit::cli
