// Sets uWS's noMark switch in a LoopData whose layout checks out: the Date text before it must read as a recent date.
#include "loop_data.h"

#include <cstdio>
#include <cstring>

namespace portcullis {

void FormatUwsDate(time_t when, char out[32]) {
  static const char kDays[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char kMonths[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  tm parts{};
  gmtime_r(&when, &parts);
  std::snprintf(out, 32, "%.3s, %.2u %.3s %.4u %.2u:%.2u:%.2u GMT", kDays[parts.tm_wday],
                static_cast<unsigned>(parts.tm_mday) % 99u, kMonths[parts.tm_mon],
                static_cast<unsigned>(1900 + parts.tm_year) % 9999u, static_cast<unsigned>(parts.tm_hour) % 99u,
                static_cast<unsigned>(parts.tm_min) % 99u, static_cast<unsigned>(parts.tm_sec) % 99u);
}

bool SilenceMark(unsigned char* loop_data, time_t now) {
  if (loop_data == nullptr) return false;
  const unsigned char* date = loop_data + kLoopDataDateOffset;
  if (date[29] != '\0') return false;
  const unsigned char no_mark = loop_data[kLoopDataNoMarkOffset];
  if (no_mark != 0 && no_mark != 1) return false;
  char expected[32];
  for (time_t when = now + 1; when >= now - kDateStaleSeconds; when--) {
    FormatUwsDate(when, expected);
    if (std::memcmp(date, expected, 29) == 0) {
      loop_data[kLoopDataNoMarkOffset] = 1;
      return true;
    }
  }
  return false;
}

}  // namespace portcullis
