/*
 * The C library functions WAMR's core calls that Rust's compiler_builtins
 * does not provide (it has memcpy, memset, memcmp, strlen and the math
 * functions): string formatting, for WAMR's error messages and log lines,
 * strcmp, and the sorting and searching WAMR does over names. No newlib is
 * linked; newlib's headers only declare these.
 *
 * vsnprintf covers the conversions WAMR's core uses: d i u x X o c s p %,
 * with flags - 0 + and space, a width and a precision (numbers or `*`), and
 * the length modifiers hh h l ll z j t. Floating-point conversions (only
 * in WAMR's dumps, which this build leaves out) print as `?`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

void *
bsearch(const void *key, const void *base, size_t n, size_t size,
        int (*cmp)(const void *, const void *))
{
    const char *lo = base;
    while (n > 0) {
        const char *mid = lo + (n / 2) * size;
        int c = cmp(key, mid);
        if (c == 0)
            return (void *)mid;
        if (c > 0) {
            lo = mid + size;
            n -= n / 2 + 1;
        }
        else {
            n /= 2;
        }
    }
    return NULL;
}

static void
swap(char *a, char *b, size_t size)
{
    while (size--) {
        char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Moves element `i` down the max-heap of the first `n` elements. */
static void
sift(char *base, size_t i, size_t n, size_t size,
     int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            return;
        if (child + 1 < n
            && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + i * size, base + child * size) >= 0)
            return;
        swap(base + i * size, base + child * size, size);
        i = child;
    }
}

/* Heapsort: O(n log n) without recursion or extra memory (not stable, as
   qsort need not be). */
void
qsort(void *base, size_t n, size_t size,
      int (*cmp)(const void *, const void *))
{
    char *b = base;
    size_t i;
    if (n < 2)
        return;
    for (i = n / 2; i-- > 0;)
        sift(b, i, n, size, cmp);
    for (i = n - 1; i > 0; i--) {
        swap(b, b + i * size, size);
        sift(b, 0, i, size, cmp);
    }
}

struct out {
    char *buf;
    size_t size; /* room including the final NUL; 0 for none */
    size_t len;  /* characters the whole output takes */
};

static void
put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void
pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* Writes `digits` (`n` of them, most significant first) with a sign or
   prefix, padded to `width` and at least `prec` digits. */
static void
field(struct out *o, const char *prefix, const char *digits, int n, int width,
      int prec, int left, int zero)
{
    int plen = (int)strlen(prefix);
    int zeros = prec > n ? prec - n : 0;
    int total = plen + zeros + n;
    if (!left && !(zero && prec < 0))
        pad(o, ' ', width - total);
    while (*prefix)
        put(o, *prefix++);
    if (!left && zero && prec < 0)
        pad(o, '0', width - total);
    pad(o, '0', zeros);
    while (n-- > 0)
        put(o, *digits++);
    if (left)
        pad(o, ' ', width - total);
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    char tmp[24];

    for (; *fmt; fmt++) {
        int left = 0, zero = 0, plus = 0, space = 0, width = 0, prec = -1;
        int len = 0; /* 0 int, 1 long, 2 long long, 3 size_t */
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        for (fmt++;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else if (*fmt == '+')
                plus = 1;
            else if (*fmt == ' ')
                space = 1;
            else if (*fmt != '#')
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            fmt++;
        }
        else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            }
            else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l')
                len++;
            else if (*fmt == 'z' || *fmt == 't')
                len = 3;
            else if (*fmt == 'j')
                len = 2;
            else if (*fmt != 'h')
                break;
        }

        switch (*fmt) {
            case 'd':
            case 'i':
            {
                long long v = len == 0   ? va_arg(ap, int)
                              : len == 1 ? va_arg(ap, long)
                              : len == 2 ? va_arg(ap, long long)
                                         : (long long)va_arg(ap, ptrdiff_t);
                unsigned long long u =
                    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
                int n = 0;
                do {
                    tmp[sizeof(tmp) - 1 - n++] = (char)('0' + u % 10);
                    u /= 10;
                } while (u);
                field(&o, v < 0 ? "-" : plus ? "+" : space ? " " : "",
                      tmp + sizeof(tmp) - n, n, width, prec, left, zero);
                break;
            }
            case 'u':
            case 'x':
            case 'X':
            case 'o':
            case 'p':
            {
                unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
                const char *hex =
                    *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
                unsigned long long u;
                int n = 0;
                if (*fmt == 'p')
                    u = (uintptr_t)va_arg(ap, void *);
                else
                    u = len == 0   ? va_arg(ap, unsigned)
                        : len == 1 ? va_arg(ap, unsigned long)
                        : len == 2 ? va_arg(ap, unsigned long long)
                                   : va_arg(ap, size_t);
                do {
                    tmp[sizeof(tmp) - 1 - n++] = hex[u % base];
                    u /= base;
                } while (u);
                field(&o, *fmt == 'p' ? "0x" : "", tmp + sizeof(tmp) - n, n,
                      width, prec, left, zero);
                break;
            }
            case 'c':
                tmp[0] = (char)va_arg(ap, int);
                field(&o, "", tmp, 1, width, -1, left, 0);
                break;
            case 's':
            {
                const char *s = va_arg(ap, const char *);
                int n = 0;
                if (!s)
                    s = "(null)";
                while (s[n] && (prec < 0 || n < prec))
                    n++;
                field(&o, "", s, n, width, -1, left, 0);
                break;
            }
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                (void)va_arg(ap, double);
                put(&o, '?');
                break;
            case '%':
                put(&o, '%');
                break;
            case '\0':
                fmt--;
                break;
            default:
                put(&o, '%');
                put(&o, *fmt);
                break;
        }
    }
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
