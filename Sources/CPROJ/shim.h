#ifndef PROSPECT_CPROJ_SHIM_H
#define PROSPECT_CPROJ_SHIM_H
#include <proj.h>
#endif
