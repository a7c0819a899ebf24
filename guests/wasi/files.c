/* Creates, writes, reads, seeks, renames and removes files in the current directory. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static int fail(const char *what) {
    perror(what);
    return 1;
}

int main(void) {
    int fd = open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return fail("open a.txt");
    if (write(fd, "0123456789", 10) != 10) return fail("write");
    close(fd);
    fd = open("a.txt", O_RDWR);
    if (fd < 0) return fail("reopen");
    char buf[16] = {0};
    if (lseek(fd, 4, SEEK_SET) != 4) return fail("lseek");
    if (read(fd, buf, 3) != 3) return fail("read");
    printf("read at 4: %s\n", buf);
    printf("tell: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("end: %ld\n", (long)lseek(fd, -2, SEEK_END));
    if (write(fd, "XY", 2) != 2) return fail("write at end-2");
    close(fd);
    struct stat st;
    if (stat("a.txt", &st) != 0) return fail("stat");
    printf("size: %ld regular: %d\n", (long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);
    FILE *f = fopen("b.txt", "w");
    if (!f) return fail("fopen b.txt");
    fprintf(f, "line one\nline two\n");
    fclose(f);
    f = fopen("b.txt", "a");
    fprintf(f, "line three\n");
    fclose(f);
    if (rename("b.txt", "c.txt") != 0) return fail("rename");
    if (access("b.txt", F_OK) == 0) return fail("b.txt still there");
    f = fopen("c.txt", "r");
    while (fgets(buf, sizeof buf, f)) printf("c.txt: %s", buf);
    fclose(f);
    if (mkdir("sub", 0755) != 0) return fail("mkdir");
    f = fopen("sub/d.txt", "w");
    fputs("in sub\n", f);
    fclose(f);
    if (unlink("a.txt") != 0) return fail("unlink");
    printf("a.txt gone: %d\n", access("a.txt", F_OK) != 0);
    if (open("missing.txt", O_RDONLY) >= 0 || unlink("missing.txt") == 0) return fail("missing");
    printf("done\n");
    return 0;
}
