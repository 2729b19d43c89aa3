// Process-wide C library allocator settings the gateway applies once at start (see memory_tuning.cc for why).
#ifndef PORTCULLIS_MEMORY_TUNING_H_
#define PORTCULLIS_MEMORY_TUNING_H_

#include <cstddef>

namespace portcullis {

// Sets glibc malloc's trim threshold: freed memory at the top of a heap is returned to the
// system only once more than `bytes` of it is free. false when the C library is not glibc or
// glibc refused the value.
bool SetMallocTrimThreshold(size_t bytes);

}  // namespace portcullis

#endif  // PORTCULLIS_MEMORY_TUNING_H_
