/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * String helpers.  Bulk data never comes through here (fw_cfg DMA writes
 * it in place), so plain rep movs/stos is all that is needed.
 */
#include <stdint.h>
#include "string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;

    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

/* Overlapping moves to a higher address copy backwards (DF=1, then off) */
void *memmove(void *dst, const void *src, size_t n)
{
    void *d = (char *)dst + n - 1;

    if (dst <= src || (const char *)src + n <= (char *)dst) {
        return memcpy(dst, src, n);
    }
    src = (const char *)src + n - 1;
    asm volatile("std; rep movsb; cld"
                 : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;

    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;

    for (; n; n--, p++, q++) {
        if (*p != *q) {
            return *p - *q;
        }
    }
    return 0;
}
