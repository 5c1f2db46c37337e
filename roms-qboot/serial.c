/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COM1 (16550 at 0x3f8), output only.  It is set up on first use, which
 * is only ever on an error path, so a good boot spends nothing here.
 * Every wait is bounded: with no UART (isa-serial=off) reads of the line
 * status return all ones or zeros and the firmware must still reach its
 * halt, so a UART that never becomes ready is given up on for good.
 */
#include <stdbool.h>
#include "io.h"
#include "serial.h"

#define COM1_BASE       0x3f8
#define UART_THR        0       /* transmit holding (DLAB=0) */
#define UART_DLL        0       /* divisor latch low (DLAB=1) */
#define UART_IER        1       /* interrupt enable (DLAB=0) */
#define UART_DLM        1       /* divisor latch high (DLAB=1) */
#define UART_FCR        2
#define UART_LCR        3
#define UART_LSR        5

#define UART_LCR_8N1    0x03
#define UART_LCR_DLAB   0x80
#define UART_LSR_THRE   0x20
#define UART_DIVISOR_115200 1

#define UART_READY_POLLS 100000

enum uart_state {
    UART_UNKNOWN,
    UART_USABLE,
    UART_ABSENT,
};

static enum uart_state uart_state;

static bool uart_probe(void)
{
    /* A floating bus reads 0xff; no real LSR has every bit set when idle */
    if (inb(COM1_BASE + UART_LSR) == 0xff) {
        return false;
    }
    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
    outb(COM1_BASE + UART_DLL, UART_DIVISOR_115200);
    outb(COM1_BASE + UART_DLM, 0);
    outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
    outb(COM1_BASE + UART_FCR, 0);
    return true;
}

static bool uart_wait_ready(void)
{
    unsigned i;

    for (i = 0; i < UART_READY_POLLS; i++) {
        if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE) {
            return true;
        }
    }
    return false;
}

void serial_putc(char c)
{
    if (uart_state == UART_UNKNOWN) {
        uart_state = uart_probe() ? UART_USABLE : UART_ABSENT;
    }
    if (uart_state != UART_USABLE) {
        return;
    }
    if (!uart_wait_ready()) {
        uart_state = UART_ABSENT;
        return;
    }
    outb(COM1_BASE + UART_THR, c);
}
