#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit check`; exit code 0 when every constraint passes or is a minor deviation, 1 on a
/// major deviation or a missing required structure, 2 on bad input.
void add_check_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
