#ifndef CALLARCHIVE_CEBUR128_SHIM_H
#define CALLARCHIVE_CEBUR128_SHIM_H

/* libebur128 (EBU R128 / ITU-R BS.1770 loudness), used by AudioCheck's meter. */
#include <ebur128.h>

#endif
