// CPrefetch is its header's one inline function; SwiftPM builds a C target from a source file.
#include "CPrefetch.h"
