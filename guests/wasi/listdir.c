/* Lists the current directory, sorted, skipping . and .., with a mark for directories. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    DIR *d = opendir(".");
    if (!d) {
        perror("opendir");
        return 1;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t len = strlen(e->d_name);
        char *s = malloc(len + 2);
        memcpy(s, e->d_name, len);
        s[len] = e->d_type == DT_DIR ? '/' : 0;
        s[len + 1] = 0;
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++) printf("%s\n", names[i]);
    return 0;
}
