/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware's only message path: fatal() prints one line on the
 * serial console and halts.  The formatter knows just what the messages
 * use, with no 64-bit division: %s, %u and %x (32-bit), %llx, %%.
 */
#include <stdarg.h>
#include <stdint.h>
#include "io.h"
#include "print.h"
#include "serial.h"

static void print_str(const char *s)
{
    if (!s) {
        s = "(null)";
    }
    while (*s) {
        serial_putc(*s++);
    }
}

static void print_dec(uint32_t v)
{
    char buf[10];
    int n = 0;

    do {
        buf[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n) {
        serial_putc(buf[--n]);
    }
}

static void print_hex(uint64_t v)
{
    int shift = 60;

    while (shift > 0 && !(v >> shift)) {
        shift -= 4;
    }
    for (; shift >= 0; shift -= 4) {
        serial_putc("0123456789abcdef"[(v >> shift) & 0xf]);
    }
}

static void print_fmt(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            serial_putc(*fmt);
            continue;
        }
        fmt++;
        if (fmt[0] == 'l' && fmt[1] == 'l' && fmt[2] == 'x') {
            fmt += 2;
            serial_putc('0');
            serial_putc('x');
            print_hex(va_arg(ap, uint64_t));
            continue;
        }
        switch (*fmt) {
        case 's':
            print_str(va_arg(ap, const char *));
            break;
        case 'u':
            print_dec(va_arg(ap, unsigned int));
            break;
        case 'x':
            serial_putc('0');
            serial_putc('x');
            print_hex(va_arg(ap, unsigned int));
            break;
        case '%':
            serial_putc('%');
            break;
        default:
            /* unknown or truncated: show it rather than guess */
            serial_putc('%');
            if (!*fmt) {
                return;
            }
            serial_putc(*fmt);
            break;
        }
    }
}

void fatal(const char *fmt, ...)
{
    va_list ap;

    print_str("qboot: ");
    va_start(ap, fmt);
    print_fmt(fmt, ap);
    va_end(ap);
    print_str("\r\n");
    cpu_halt_forever();
}
