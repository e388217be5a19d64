#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit dvh`; its callback stores the exit code in exit_code.
void add_dvh_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
