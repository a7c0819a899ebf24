/* A malicious guest: tries to leave the sandbox and to write through a read-only
 * preopen, printing the errno of each attempt (wasi-libc's numbering). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static void try_open(const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    printf("open %s: %s\n", path, fd >= 0 ? "OPENED" : strerror(errno));
    if (fd >= 0) close(fd);
}

int main(void) {
    try_open("../outside.txt", O_RDONLY);
    try_open("sub/../../outside.txt", O_CREAT | O_WRONLY);
    try_open("/etc/passwd", O_RDONLY);
    try_open("link/outside.txt", O_RDONLY);
    try_open("link", O_RDONLY);
    try_open("ro/secret.txt", O_WRONLY);
    try_open("ro/new.txt", O_CREAT | O_WRONLY);
    try_open("ro/secret.txt", O_RDONLY);
    errno = 0;
    printf("rename ro: %s\n", rename("ro/secret.txt", "ro/moved.txt") ? strerror(errno) : "DONE");
    errno = 0;
    printf("unlink ro: %s\n", unlink("ro/secret.txt") ? strerror(errno) : "DONE");
    errno = 0;
    printf("mkdir ro: %s\n", mkdir("ro/d", 0755) ? strerror(errno) : "DONE");
    errno = 0;
    printf("write bad fd: %s\n", write(77, "x", 1) < 0 ? strerror(errno) : "WROTE");
    errno = 0;
    printf("close bad fd: %s\n", close(99) ? strerror(errno) : "CLOSED");
    return 0;
}
