// libsbrtkit.so has no code of its own: it is the rooms' static libraries linked whole (CMakeLists.txt,
// sbrtkit_library). CMake needs one source to make a library target.
#include "sbrtkit/version.h"
