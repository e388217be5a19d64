#include "report/html_text.h"
#include <mystery/lib.h>
