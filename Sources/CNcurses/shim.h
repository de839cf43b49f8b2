#ifndef PLUMB_NCURSES_SHIM_H
#define PLUMB_NCURSES_SHIM_H
// SwiftPM drops pkg-config's -D_XOPEN_SOURCE, so ask for the wide-character API here.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncurses.h>
#include <locale.h>

/// Swift cannot see ncurses' version macro; expose it as a function.
static inline const char *plumb_ncurses_version(void) { return curses_version(); }

#endif
