/*
 * CNCurses: the few ncursesw entry points the terminal backend needs, as plain functions.
 *
 * Swift cannot see the wide-character API unless these feature macros come before the
 * header (SwiftPM drops the -D flags pkg-config reports), nor the attribute macros, the
 * argument-assigning getmaxyx family or the mutable globals (stdscr, COLORS) in Swift 6
 * mode. Everything here is a thin static inline wrapper; the one piece of logic in C is the
 * crash guard below, because a signal handler may only do async-signal-safe work.
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
#include <signal.h>
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

/*
 * The crash guard: gives the terminal back when the process dies from a fatal signal
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGQUIT), where neither endwin
 * nor atexit runs. The handler does only async-signal-safe work: it writes the escape
 * sequences that undo curses' screen (cancel a half-written sequence, leave keypad mode and
 * the alternate screen, reset attributes, show the cursor), puts back the terminal modes
 * saved before curses changed them, reinstalls the handler that was there before (the Swift
 * runtime's backtracer, or the default) and raises the signal again, so the exit status and
 * any core dump stay honest.
 */

/* Saves the terminal's modes; call before curses changes them. False when input is no terminal. */
bool lyh_crash_guard_save_modes(int inputDescriptor);

/*
 * Arms the guard once curses runs on outputDescriptor (its terminfo entry gives the escape
 * sequences). Installs the handlers with SA_RESETHAND on an alternate signal stack for the
 * calling thread. Does nothing unless the modes were saved.
 */
void lyh_crash_guard_arm(int outputDescriptor);

/*
 * What the handler does first, async-signal-safe and at most once per arming: writes the
 * escape sequences and puts back the saved modes. Tests call it directly.
 */
void lyh_crash_guard_restore_terminal(void);

/* Puts back the handlers that were there before arming; safe to call when not armed. */
void lyh_crash_guard_disarm(void);

/* Whether the guard's handlers are installed, for tests. */
bool lyh_crash_guard_is_armed(void);

/* The bytes the handler would write, for tests; returns their count. */
int lyh_crash_guard_sequence(char *buffer, int capacity);

/*
 * Opens a pseudo-terminal pair, for tests that need a real terminal: the follower is what a
 * program sees, the leader reads what it wrote. False (nothing open) on failure.
 */
bool lyh_open_pseudo_terminal(int *leader, int *follower);

#endif
