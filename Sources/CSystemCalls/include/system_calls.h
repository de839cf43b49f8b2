#ifndef PLUMB_SYSTEM_CALLS_H
#define PLUMB_SYSTEM_CALLS_H

#include <stdint.h>

/// Resolution rules for `plumb_openat2`: stay beneath the directory descriptor, follow no symlink
/// in any component (the last one included, unless O_PATH|O_NOFOLLOW asks for the link itself),
/// and no magic link of /proc.
#define PLUMB_RESOLVE_BENEATH 0x08
#define PLUMB_RESOLVE_NO_SYMLINKS 0x04
#define PLUMB_RESOLVE_NO_MAGICLINKS 0x02

/// openat2(2), which glibc 2.36 does not wrap and Swift cannot call through the variadic
/// syscall(2). Returns the descriptor, or -1 with errno set.
int plumb_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/// `renameat2(2)`, which Swift's Glibc does not show: `flags` 1 is RENAME_NOREPLACE.
int plumb_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/// `accept4(2)` with SOCK_CLOEXEC, which Swift's Glibc does not show: no child inherits the
/// connection. Returns the descriptor, or -1 with errno set.
int plumb_accept_cloexec(int fd);

/// The user id of the process at the other end of a Unix socket (SO_PEERCRED), or -1.
int64_t plumb_peer_uid(int fd);

/// `sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, 0)`, which Swift cannot call
/// (variadic): the connection, closing last, leaves the write-ahead log as it is instead of
/// copying it into the database with three fsyncs. `db` is the `sqlite3 *`. Returns SQLite's code.
int plumb_sqlite_keep_log_on_close(void *db);

/// `mallopt(M_TOP_PAD, bytes)`, which Swift's Glibc does not show (it is in <malloc.h>): how much
/// more than asked each malloc arena takes when it grows or is made. Returns 1 on success.
int plumb_malloc_top_pad(int bytes);

#endif
