/* SPDX-License-Identifier: GPL-2.0-or-later */
/* COM1 output.  Never blocks for long: there may be no UART at all. */
#ifndef QBOOT_SERIAL_H
#define QBOOT_SERIAL_H

void serial_putc(char c);

#endif
