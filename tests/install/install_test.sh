#!/usr/bin/env bash
# CTest install.ExampleBuildsAgainstInstalledPackage: what a user of the library does, from scratch.
#   1. cmake --install the build tree into an empty prefix;
#   2. build examples/sphere_dvh against it with find_package(sbrtkit) and, separately, with pkg-config;
#   3. run both: each compares the DVH of a sphere in a linear field with its closed form (exit 0 = within
#      the geometric tolerances the example states);
#   4. move the prefix elsewhere and check that the installed binary reads the installed protocols, not
#      the source tree (`sbrtkit protocols` names the folder it read);
#   5. import the installed Python module from the moved prefix (when the build has one).
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"

cmake -S "$source/examples/sphere_dvh" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/example" > "$work/build.log"
LD_LIBRARY_PATH="$work/prefix/lib" "$work/example/sphere_dvh"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
g++ -o "$work/sphere_dvh_pc" "$source/examples/sphere_dvh/sphere_dvh.cpp" $(pkg-config --cflags --libs sbrtkit)
LD_LIBRARY_PATH="$work/prefix/lib" "$work/sphere_dvh_pc" > /dev/null

mv "$work/prefix" "$work/moved"
listing=$(env -u SBRTKIT_PROTOCOLS "$work/moved/bin/sbrtkit" protocols)
grep -q "bundled protocols in $work/moved/share/sbrtkit/protocols" <<< "$listing" || {
  echo "install_test: the relocated binary did not read its own protocols:" >&2
  echo "$listing" | head -3 >&2
  exit 1
}
# 5. The Python module (when built): installed under the prefix's site-packages, importable from there.
if [ -d "$build/python/sbrtkit" ]; then
  module=$(find "$work/moved" -name '_sbrtkit*.so' | head -1)
  [ -n "$module" ] || { echo "install_test: the Python module was built but not installed" >&2; exit 1; }
  python=$(sed -n 's/^_Python3_EXECUTABLE:INTERNAL=//p' "$build/CMakeCache.txt")
  (cd "$work" && PYTHONPATH=$(dirname "$(dirname "$module")") "${python:-python3}" -c \
     "import sbrtkit, sys; assert sbrtkit.__file__.startswith('$work/moved'), sbrtkit.__file__; sbrtkit.load_plan")
fi
echo "install_test: library, headers, CMake package, pkg-config, relocated protocols and Python module all work"
