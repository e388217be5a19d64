#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit merge OUT SHARD_DIR...`; exit 0 merged, 2 bad input.
void add_merge_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
