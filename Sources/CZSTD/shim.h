#ifndef PROSPECT_CZSTD_SHIM_H
#define PROSPECT_CZSTD_SHIM_H
#include <zstd.h>
#endif
