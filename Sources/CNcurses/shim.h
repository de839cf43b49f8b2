#ifndef PLUMB_NCURSES_SHIM_H
#define PLUMB_NCURSES_SHIM_H
// SwiftPM drops pkg-config's -D_XOPEN_SOURCE, so ask for the wide-character API here.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncurses.h>
#include <locale.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <wchar.h>
#include <term.h>
#include <unistd.h>

// Glibc's Swift module does not export wcwidth; the backend needs ncurses' idea of a glyph's width.
extern int wcwidth(wchar_t);

/// Swift cannot see ncurses' version macro; expose it as a function.
static inline const char *plumb_ncurses_version(void) { return curses_version(); }

// Swift 6 rejects C globals as shared mutable state and cannot see function-like macros, so the
// few the backend needs are read through these accessors.

static inline FILE *plumb_stdin(void) { return stdin; }
static inline FILE *plumb_stdout(void) { return stdout; }
static inline WINDOW *plumb_stdscr(void) { return stdscr; }
static inline int plumb_colors(void) { return COLORS; }
static inline int plumb_color_pairs(void) { return COLOR_PAIRS; }
static inline int plumb_wcwidth(wchar_t c) { return wcwidth(c); }

static inline attr_t plumb_a_bold(void) { return A_BOLD; }
static inline attr_t plumb_a_underline(void) { return A_UNDERLINE; }
static inline attr_t plumb_a_reverse(void) { return A_REVERSE; }
static inline attr_t plumb_a_dim(void) { return A_DIM; }

static inline mmask_t plumb_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t plumb_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t plumb_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t plumb_button5_pressed(void) { return BUTTON5_PRESSED; }

/// Whether terminfo knows `type` (-1: no entry) and it can move the cursor (0: it cannot, like
/// TERM=dumb, which newterm accepts and then draws garbage; 1: usable). Asked through setupterm,
/// which only reads the terminal: newterm already changes its modes.
static inline int plumb_terminal_support(const char *type) {
    TERMINAL *previous = set_curterm(NULL);
    int status = 0, support = -1;
    if (setupterm(type, STDOUT_FILENO, &status) == OK) {
        const char *cup = tigetstr("cup");
        support = cup != NULL && cup != (char *) -1;
        del_curterm(cur_term);
    } else if (status == 1) {
        support = 0; // a hardcopy terminal: known, but no screen to draw on
    }
    set_curterm(previous);
    return support;
}

// Crash restore. The Swift runtime's backtracer handles the crash signals and leaves the screen in
// curses mode (no echo, raw, alternate screen). This handler gives the terminal back first, then puts
// the previous handler back and lets the signal reach it, so the backtrace is still printed, now
// readable, and the process still dies of the signal. endwin() runs only when curses mode is on:
// a second endwin garbles the shell's next line.

// Swift emits only the functions it calls, not file-scope variables, so the state lives in them.
#define PLUMB_CRASH_SIGNAL_COUNT 6
static inline int plumb_crash_signal(int i) {
    static const int signals[PLUMB_CRASH_SIGNAL_COUNT] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    return signals[i];
}
static inline struct sigaction *plumb_previous_crash_action(int i) {
    static struct sigaction previous[PLUMB_CRASH_SIGNAL_COUNT];
    return &previous[i];
}

static inline void plumb_crash_restore(int number, siginfo_t *info, void *context) {
    (void) context;
    if (!isendwin()) endwin();
    for (int i = 0; i < PLUMB_CRASH_SIGNAL_COUNT; i++) {
        if (plumb_crash_signal(i) == number) sigaction(number, plumb_previous_crash_action(i), NULL);
    }
    // A CPU fault (si_code > 0) happens again when this returns, so the previous handler sees
    // the real faulting address. Anything else (abort, kill, a trap instruction, which resumes
    // after itself) is raised again: blocked here, it reaches the previous handler on return.
    bool refaults = info->si_code > 0 && number != SIGABRT && number != SIGTRAP;
    if (!refaults) raise(number);
}

/// Installs the crash restore once per process (a second install would chain to itself).
static inline void plumb_install_crash_restore(void) {
    static bool installed = false;
    if (installed) return;
    installed = true;
    struct sigaction action = { 0 };
    action.sa_sigaction = plumb_crash_restore;
    sigemptyset(&action.sa_mask);
    // The runtime's alternate stack, when this thread has one, lets a stack overflow be handled too.
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    for (int i = 0; i < PLUMB_CRASH_SIGNAL_COUNT; i++) {
        sigaction(plumb_crash_signal(i), &action, plumb_previous_crash_action(i));
    }
}

// Resize wake. A resize (SIGWINCH) may be delivered to any thread, so the thread waiting in poll(2)
// for input may never see it interrupted. This handler lets ncurses' own handler note the resize
// (it turns it into KEY_RESIZE), then writes one byte to a pipe that the waiting thread polls.
static inline struct sigaction *plumb_previous_winch_action(void) {
    static struct sigaction previous;
    return &previous;
}
static inline int *plumb_winch_descriptor(void) {
    static int descriptor = -1;
    return &descriptor;
}
static inline void plumb_winch(int number, siginfo_t *info, void *context) {
    struct sigaction *previous = plumb_previous_winch_action();
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction) previous->sa_sigaction(number, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(number);
    }
    int saved = errno;
    if (*plumb_winch_descriptor() >= 0) (void) !write(*plumb_winch_descriptor(), "w", 1);
    errno = saved;
}
/// After newterm: a resize also writes a byte to `descriptor` (the write end of a non-blocking pipe).
static inline void plumb_wake_on_resize(int descriptor) {
    *plumb_winch_descriptor() = descriptor;
    struct sigaction action = { 0 };
    action.sa_sigaction = plumb_winch;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGWINCH, &action, plumb_previous_winch_action());
}

#endif
