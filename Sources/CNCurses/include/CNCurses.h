/*
 * CNCurses: the few ncursesw entry points the terminal backend needs, as plain functions.
 *
 * Swift cannot see the wide-character API unless these feature macros come before the
 * header (SwiftPM drops the -D flags pkg-config reports), nor the attribute macros, the
 * argument-assigning getmaxyx family or the mutable globals (stdscr, COLORS) in Swift 6
 * mode. Everything here is a thin static inline wrapper; no logic lives in C.
 */
#ifndef LIANYAOHU_CNCURSES_H
#define LIANYAOHU_CNCURSES_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Attributes (macros in curses.h). */
static inline attr_t lyh_attr_normal(void) { return A_NORMAL; }
static inline attr_t lyh_attr_bold(void) { return A_BOLD; }
static inline attr_t lyh_attr_dim(void) { return A_DIM; }
static inline attr_t lyh_attr_reverse(void) { return A_REVERSE; }
static inline attr_t lyh_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t lyh_attr_italic(void) { return A_ITALIC; }

/* Globals Swift 6 rejects as not concurrency-safe. */
static inline WINDOW *lyh_stdscr(void) { return stdscr; }
static inline int lyh_colors(void) { return COLORS; }
static inline int lyh_color_pairs(void) { return COLOR_PAIRS; }

/* Size of a window (getmaxyx assigns its arguments). */
static inline int lyh_rows(WINDOW *window) { return getmaxy(window); }
static inline int lyh_columns(WINDOW *window) { return getmaxx(window); }

static inline int lyh_key_f(int n) { return KEY_F(n); }

/* Makes the terminal's character set UTF-8 capable when the environment's is not. */
static inline bool lyh_prepare_locale(void) {
  setlocale(LC_CTYPE, "");
  const char *codeset = nl_langinfo(CODESET);
  if (codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0)) return true;
  return setlocale(LC_CTYPE, "C.UTF-8") != NULL;
}

/* Opens a screen on the given file descriptors; NULL when the terminal is unusable. */
static inline SCREEN *lyh_newterm(const char *type, int outputDescriptor, int inputDescriptor, FILE **outputFile, FILE **inputFile) {
  FILE *output = fdopen(dup(outputDescriptor), "w");
  FILE *input = fdopen(dup(inputDescriptor), "r");
  if (output == NULL || input == NULL) {
    if (output != NULL) fclose(output);
    if (input != NULL) fclose(input);
    return NULL;
  }
  SCREEN *screen = newterm(type, output, input);
  if (screen == NULL) {
    fclose(output);
    fclose(input);
    return NULL;
  }
  *outputFile = output;
  *inputFile = input;
  return screen;
}

/* Writes one run of cells in one style. */
static inline int lyh_put(WINDOW *window, int row, int column, const wchar_t *text, int count, attr_t attributes, short pair) {
  wattr_set(window, attributes, pair, NULL);
  return mvwaddnwstr(window, row, column, text, count);
}

/* Reads one key or character: OK (character), KEY_CODE_YES (function key) or ERR. */
static inline int lyh_read(WINDOW *window, int *value) {
  wint_t character = 0;
  int result = wget_wch(window, &character);
  *value = (int)character;
  return result;
}

/*
 * Last-resort restore at process exit (a trap or exit() while the dashboard is up): the
 * normal paths restore explicitly, this only catches the rest.
 */
void lyh_restore_at_exit(void);

/* The C library's idea of a character's width, which curses uses to place it. */
int lyh_wcwidth(int character);

#endif
