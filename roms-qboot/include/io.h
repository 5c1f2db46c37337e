/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Port I/O, byte order and halting: the few instructions C cannot express. */
#ifndef QBOOT_IO_H
#define QBOOT_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t val)
{
    asm volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t val)
{
    asm volatile("outw %0, %1" : : "a"(val), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t val)
{
    asm volatile("outl %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t val;

    asm volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
    return val;
}

/* Read @len bytes from @port into @buf (rep insb) */
static inline void insb(uint16_t port, void *buf, uint32_t len)
{
    asm volatile("rep insb" : "+D"(buf), "+c"(len) : "d"(port) : "memory");
}

static inline uint32_t bswap32(uint32_t x)
{
    return __builtin_bswap32(x);
}

static inline uint64_t bswap64(uint64_t x)
{
    return __builtin_bswap64(x);
}

/* Stop this CPU for good: interrupts off, then halt in a loop (NMIs). */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
    for (;;) {
        asm volatile("cli; hlt" : : : "memory");
    }
}

#endif
