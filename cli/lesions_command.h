#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit lesions`; its callback stores the exit code in exit_code.
void add_lesions_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
