// uWS's per-loop LoopData in the pinned build: where its Date text and its noMark switch are, and setting the switch
// once the layout checks out (loop_data.cc). Pure: no Node or uWS headers, so the native tests cover it.
#ifndef PORTCULLIS_LOOP_DATA_H_
#define PORTCULLIS_LOOP_DATA_H_

#include <cstddef>
#include <ctime>

namespace portcullis {

// Offsets into the loop's extension, found in the pinned build's disassembly (its writeMark tests the byte at loop +
// 0x170, and us_loop_ext is loop + 0x90) and in uWS v20.43's LoopData.h (`char date[32]; bool noMark;`).
constexpr size_t kLoopDataDateOffset = 192;
constexpr size_t kLoopDataNoMarkOffset = kLoopDataDateOffset + 32;
// How stale the loop's Date text may be and still identify the field (uWS refreshes it every second while the loop
// runs).
constexpr time_t kDateStaleSeconds = 300;

// uWS's Date header text for `when` (LoopData::updateDate's format): 29 characters and a terminator.
void FormatUwsDate(time_t when, char out[32]);

// Whether `loop_data` holds, at the pinned offsets, the Date text of a second in [now - kDateStaleSeconds, now + 1]
// with its terminator, and a boolean where noMark belongs: then sets that switch (uWS stops writing its
// `uWebSockets: 20` header) and returns true. Otherwise writes nothing.
bool SilenceMark(unsigned char* loop_data, time_t now);

}  // namespace portcullis

#endif  // PORTCULLIS_LOOP_DATA_H_
