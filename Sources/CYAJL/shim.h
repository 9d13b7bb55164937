#include <yajl/yajl_parse.h>

/* yajl_config is variadic, which Swift cannot call: one setting, spelled out. */
static inline int yajl_config_allow_multiple_values(yajl_handle handle) {
    return yajl_config(handle, yajl_allow_multiple_values, 1);
}
