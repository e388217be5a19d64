// sbrtkit command-line entry point. Subcommands are registered by pipelines/*_command.cpp.
#include <cstdio>
#include "sbrtkit/version.h"
int main() { std::printf("sbrtkit %s\n", sbrtkit::kVersion); return 0; }
