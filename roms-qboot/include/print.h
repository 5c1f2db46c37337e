/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages on the serial console, and the one way the firmware gives up. */
#ifndef QBOOT_PRINT_H
#define QBOOT_PRINT_H

/*
 * Print "qboot: " and the message (formats: %s %u %x %llx, %%), end the
 * line, then halt this CPU for good.
 */
void fatal(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

#endif
