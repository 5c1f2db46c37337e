/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The few string helpers the ROM needs (gcc may also call mem*). */
#ifndef QBOOT_STRING_H
#define QBOOT_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
