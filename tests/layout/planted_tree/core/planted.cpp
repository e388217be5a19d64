#include <vector>
#include "sbrtkit/pipelines/batch.h"
