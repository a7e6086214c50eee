// zlib (Debian's zlib1g-dev) for compressing study artifacts in RecurTunePostgres.
#include <zlib.h>
