#include "sbrtkit/version.h"
