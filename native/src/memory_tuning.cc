// glibc malloc's trim threshold, raised so that Node's per-read socket buffers stop costing page faults.
//
// Node allocates a fresh 64 KiB buffer for every socket read and frees it when V8 collects it. In a worker
// thread's malloc arena the freed buffers gather at the top of the heap between collections; with glibc's
// default 128 KiB threshold the arena hands them back (madvise) and maps them again (mprotect) for the next
// reads, whose first touch of every page is then a page fault. A proxied 64 KiB response paid about one
// such fault round per response, a large share of its CPU.
#include "memory_tuning.h"

#include <climits>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace portcullis {

bool SetMallocTrimThreshold(size_t bytes) {
#if defined(__GLIBC__)
  if (bytes > static_cast<size_t>(INT_MAX)) return false;
  return mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes)) == 1;
#else
  (void)bytes;
  return false;
#endif
}

}  // namespace portcullis
