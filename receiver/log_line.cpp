#include "log_line.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace sbrtkit::receiver {

void log_line(const std::string& message) {
  static std::mutex mutex;
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  const std::string line = fmt::format("sbrtkit serve: {}.{:03}Z {}\n", stamp, ms, message);
  std::lock_guard lock(mutex);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace sbrtkit::receiver
