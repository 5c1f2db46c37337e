/*
 * Minimal PVH payload for scripts/bench.sh: the loader (firmware or
 * direct boot) enters at pvh_start in 32-bit protected mode (Xen PVH boot
 * ABI, XEN_ELFNOTE_PHYS32_ENTRY); it writes 0 to isa-debug-exit at I/O
 * port 0xf4 (QEMU exits with status 1) and halts.  Three instructions.
 */
        .code32
        .section .text, "ax"
        .globl pvh_start
pvh_start:
        movb    $0, %al
        outb    %al, $0xf4
1:      hlt
        jmp     1b

        /* Xen ELF note: type 18 = XEN_ELFNOTE_PHYS32_ENTRY, name "Xen" */
        .section .note.Xen, "a", @note
        .balign 4
        .long   4               /* namesz */
        .long   4               /* descsz */
        .long   18              /* type */
        .asciz  "Xen"
        .balign 4
        .long   pvh_start
        .balign 4
