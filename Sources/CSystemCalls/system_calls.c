#define _GNU_SOURCE
#include "system_calls.h"
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <sys/socket.h>
#include <sqlite3.h>
#include <malloc.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct plumb_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

int plumb_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct plumb_open_how how = { flags, mode, resolve };
    long fd;
    /* EAGAIN: a rename raced the lookup (the kernel cannot prove it stayed beneath); a bounded
       number of tries, so that a busy attacker cannot keep plumb spinning. */
    int tries = 0;
    do {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < 64);
    return (int)fd;
}

int plumb_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

int plumb_accept_cloexec(int fd) {
    return accept4(fd, 0, 0, SOCK_CLOEXEC);
}

int64_t plumb_peer_uid(int fd) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return credentials.uid;
}

int plumb_sqlite_keep_log_on_close(void *db) {
    return sqlite3_db_config((sqlite3 *)db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

int plumb_malloc_top_pad(int bytes) {
    return mallopt(M_TOP_PAD, bytes);
}
