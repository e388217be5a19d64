#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {
/// Registers `sbrtkit phantom --out DIR [--seed N] [--size small|clinical|large]`; its callback stores
/// the exit code in exit_code.
void add_phantom_command(CLI::App& app, int& exit_code);
}  // namespace sbrtkit::cli
