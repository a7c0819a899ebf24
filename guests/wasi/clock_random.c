/* Reads both clocks and draws random bytes; prints the shape of the results, not their values. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

int main(void) {
    struct timespec a, b, r;
    int ok = clock_gettime(CLOCK_REALTIME, &r) == 0 && r.tv_sec > 1600000000;
    printf("realtime ok=%d\n", ok);
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 1000000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long d = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("monotonic advances=%d\n", d >= 1000000);
    unsigned char buf[64] = {0};
    int n = getentropy(buf, sizeof buf);
    int nonzero = 0;
    for (unsigned i = 0; i < sizeof buf; i++) nonzero += buf[i] != 0;
    printf("getentropy=%d nonzero>32=%d\n", n, nonzero > 32);
    return 0;
}
