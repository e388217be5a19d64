#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit qa` (plan-quality indices per target).
void add_qa_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
