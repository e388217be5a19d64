#include "cli_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#ifndef SBRTKIT_BINARY
#define SBRTKIT_BINARY "sbrtkit"
#endif

namespace sbrtkit::testing {

namespace {
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("sbrtkit-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run_sbrtkit(const std::vector<std::string>& arguments) {
  TempDir capture;
  std::string command = shell_quote(SBRTKIT_BINARY);
  for (const auto& a : arguments) command += " " + shell_quote(a);
  command += " > " + shell_quote((capture / "out").string()) + " 2> " + shell_quote((capture / "err").string());
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(capture / "out");
  result.err = read_text(capture / "err");
  return result;
}

}  // namespace sbrtkit::testing
