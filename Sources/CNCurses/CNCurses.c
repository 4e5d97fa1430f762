#define _XOPEN_SOURCE 700
#include "CNCurses.h"

#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <ncursesw/term.h>

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

/* MARK: The crash guard */

/* The signals whose default action ends the process with the terminal still in curses' hands. */
static const int lyh_fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGQUIT};
#define LYH_FATAL_SIGNAL_COUNT ((int)(sizeof(lyh_fatal_signals) / sizeof(lyh_fatal_signals[0])))

/*
 * Everything the handler reads is written before the handlers are installed and never while
 * they are (sigaction orders the writes before any delivery), so the handler needs no lock.
 */
static struct termios lyh_saved_modes;
static int lyh_modes_descriptor = -1;
static int lyh_output_descriptor = -1;
static char lyh_sequence[512];
static int lyh_sequence_length = 0;
static struct sigaction lyh_previous[LYH_FATAL_SIGNAL_COUNT];
/* Whether our handlers are installed. */
static volatile sig_atomic_t lyh_armed = 0;
/* Whether the terminal still waits for the guard to give it back (at most once). */
static volatile sig_atomic_t lyh_terminal_pending = 0;
/*
 * A stack for the handlers (ours, then the Swift backtracer's) when the thread's own is gone
 * (a stack overflow on the terminal's thread).
 */
static char lyh_alternate_stack[256 * 1024];

bool lyh_crash_guard_save_modes(int inputDescriptor) {
  if (lyh_armed) return false;
  if (tcgetattr(inputDescriptor, &lyh_saved_modes) != 0) {
    lyh_modes_descriptor = -1;
    return false;
  }
  lyh_modes_descriptor = inputDescriptor;
  return true;
}

/* Appends a terminfo string capability, without its padding ($<5>), when the terminal has it. */
static void lyh_append_capability(const char *name) {
  char *value = tigetstr((char *)name);
  if (value == NULL || value == (char *)-1) return;
  for (const char *p = value; *p != '\0'; p++) {
    if (p[0] == '$' && p[1] == '<') {
      const char *end = strchr(p, '>');
      if (end != NULL) {
        p = end;
        continue;
      }
    }
    if (lyh_sequence_length >= (int)sizeof(lyh_sequence) - 1) return;
    lyh_sequence[lyh_sequence_length++] = *p;
  }
}

static void lyh_append_text(const char *text) {
  for (const char *p = text; *p != '\0' && lyh_sequence_length < (int)sizeof(lyh_sequence) - 1; p++) {
    lyh_sequence[lyh_sequence_length++] = *p;
  }
}

static void lyh_write_all(int descriptor, const char *bytes, int count) {
  while (count > 0) {
    ssize_t written = write(descriptor, bytes, (size_t)count);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    bytes += written;
    count -= (int)written;
  }
}

void lyh_crash_guard_restore_terminal(void) {
  if (!lyh_terminal_pending) return;
  lyh_terminal_pending = 0;
  int saved_errno = errno;
  lyh_write_all(lyh_output_descriptor, lyh_sequence, lyh_sequence_length);
  tcsetattr(lyh_modes_descriptor, TCSANOW, &lyh_saved_modes);
  errno = saved_errno;
}

static void lyh_crash_handler(int number, siginfo_t *info, void *context) {
  (void)info;
  (void)context;
  int saved_errno = errno;
  lyh_crash_guard_restore_terminal();
  /*
   * The Swift backtracer decided at start-up, seeing a terminal, to ask on standard input
   * whether to debug and to wait 30 s for an answer. The process is dying and the shell owns
   * the terminal again: the backtracer gets no input instead, so it writes its report and
   * ends at once.
   */
  int nothing = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (nothing >= 0 && nothing != STDIN_FILENO) {
    dup2(nothing, STDIN_FILENO);
    close(nothing);
  }
  /*
   * SA_RESETHAND already made this signal's action the default; put back what was there
   * before us instead (the Swift runtime's backtracer, which reports the crash), for the
   * other signals too. The signal raised here is blocked until this handler returns, then
   * delivered to that action; a fault would also recur on return.
   */
  for (int index = 0; index < LYH_FATAL_SIGNAL_COUNT; index++) {
    sigaction(lyh_fatal_signals[index], &lyh_previous[index], NULL);
  }
  lyh_armed = 0;
  errno = saved_errno;
  raise(number);
}

void lyh_crash_guard_arm(int outputDescriptor) {
  if (lyh_armed || lyh_modes_descriptor < 0) return;
  lyh_output_descriptor = outputDescriptor;
  lyh_sequence_length = 0;
  /* CAN ends any escape sequence curses was halfway through writing. */
  lyh_append_text("\030");
  lyh_append_capability("rmkx");
  lyh_append_capability("rmcup");
  lyh_append_capability("sgr0");
  lyh_append_capability("cnorm");
  lyh_append_text("\r\n");
  lyh_sequence[lyh_sequence_length] = '\0';

  stack_t current;
  if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE)) {
    stack_t alternate = {.ss_sp = lyh_alternate_stack, .ss_size = sizeof(lyh_alternate_stack), .ss_flags = 0};
    sigaltstack(&alternate, NULL);
  }

  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_sigaction = lyh_crash_handler;
  action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  /* While one fatal signal is being handled, the others wait. */
  for (int index = 0; index < LYH_FATAL_SIGNAL_COUNT; index++) sigaddset(&action.sa_mask, lyh_fatal_signals[index]);
  for (int index = 0; index < LYH_FATAL_SIGNAL_COUNT; index++) {
    sigaction(lyh_fatal_signals[index], NULL, &lyh_previous[index]);
  }
  lyh_terminal_pending = 1;
  lyh_armed = 1;
  for (int index = 0; index < LYH_FATAL_SIGNAL_COUNT; index++) {
    sigaction(lyh_fatal_signals[index], &action, NULL);
  }
}

void lyh_crash_guard_disarm(void) {
  lyh_terminal_pending = 0;
  if (!lyh_armed) return;
  lyh_armed = 0;
  for (int index = 0; index < LYH_FATAL_SIGNAL_COUNT; index++) {
    sigaction(lyh_fatal_signals[index], &lyh_previous[index], NULL);
  }
  lyh_modes_descriptor = -1;
}

bool lyh_crash_guard_is_armed(void) {
  return lyh_armed != 0;
}

int lyh_crash_guard_sequence(char *buffer, int capacity) {
  int count = lyh_sequence_length < capacity ? lyh_sequence_length : capacity;
  memcpy(buffer, lyh_sequence, (size_t)count);
  return count;
}

bool lyh_open_pseudo_terminal(int *leader, int *follower) {
  int opened = posix_openpt(O_RDWR | O_NOCTTY);
  if (opened < 0) return false;
  const char *name = (grantpt(opened) == 0 && unlockpt(opened) == 0) ? ptsname(opened) : NULL;
  int other = name != NULL ? open(name, O_RDWR | O_NOCTTY) : -1;
  if (other < 0) {
    close(opened);
    return false;
  }
  *leader = opened;
  *follower = other;
  return true;
}
