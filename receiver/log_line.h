#pragma once
// One line per event on stderr ("sbrtkit serve: <UTC time> <message>"), whole even when several
// association threads log at once.
#include <string>

namespace sbrtkit::receiver {
void log_line(const std::string& message);
}  // namespace sbrtkit::receiver
