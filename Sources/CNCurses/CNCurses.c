#define _XOPEN_SOURCE 700
#include "CNCurses.h"

static void lyh_end_if_active(void) {
  if (!isendwin()) endwin();
}

void lyh_restore_at_exit(void) {
  static int registered = 0;
  if (registered) return;
  registered = 1;
  atexit(lyh_end_if_active);
}

int lyh_wcwidth(int character) {
  return wcwidth((wchar_t)character);
}
