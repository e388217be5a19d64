#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit protocols` (list the bundled protocols) and `sbrtkit protocols show NAME|FILE`.
void add_protocols_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
