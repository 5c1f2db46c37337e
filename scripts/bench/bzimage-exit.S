/*
 * Minimal bzImage payload for scripts/bench.sh (Linux boot protocol 2.12).
 * Whatever entry a loader takes -- real-mode setup at offset 0x200, the
 * 32-bit entry at code32_start (0x100000) or the 64-bit entry 0x200 above
 * it (xloadflags XLF_KERNEL_64) -- it reaches "out %al, $0xf4" (bytes
 * e6 f4): isa-debug-exit ends QEMU at once.  The instruction-count plugin
 * finds that instruction by its bytes (entry-bytes=e6f4); on the real-mode
 * path it is the payload's second instruction (after the header's jmp),
 * so counts there include that one payload instruction.
 * Layout: 2 setup sectors (boot sector + 1), then the protected-mode part.
 */
        .code16
        .section .text, "ax"
        .globl _start
_start:
        .org    0x1f1
setup_sects:    .byte   1
root_flags:     .word   0
syssize:        .long   0x400 / 16      /* protected-mode part, paragraphs */
ram_size:       .word   0
vid_mode:       .word   0xffff
root_dev:       .word   0
boot_flag:      .word   0xaa55
        /* 0x200: the real-mode entry, a 2-byte jump whose displacement
         * also gives the header's end (0x202 + byte 0x201) to loaders */
        jmp     rm_entry
header:         .ascii  "HdrS"
version:        .word   0x020c
realmode_swtch: .long   0
start_sys_seg:  .word   0
kernel_version: .word   0
type_of_loader: .byte   0
loadflags:      .byte   0x01            /* LOADED_HIGH */
setup_move_size: .word  0
code32_start:   .long   0x100000
ramdisk_image:  .long   0
ramdisk_size:   .long   0
bootsect_kludge: .long  0
heap_end_ptr:   .word   0
ext_loader_ver: .byte   0
ext_loader_type: .byte  0
cmd_line_ptr:   .long   0
initrd_addr_max: .long  0x7fffffff
kernel_alignment: .long 0x200000
relocatable_kernel: .byte 0
min_alignment:  .byte   0
xloadflags:     .word   0x0001          /* XLF_KERNEL_64 */
cmdline_size:   .long   255
hardware_subarch: .long 0
hardware_subarch_data: .quad 0
payload_offset: .long   0
payload_length: .long   0
setup_data:     .quad   0
pref_address:   .quad   0x100000
init_size:      .long   0x1000
handover_offset: .long  0
rm_entry:
        outb    %al, $0xf4
1:      hlt
        jmp     1b

        .org    0x400                   /* protected-mode part: at 0x100000 */
pm32_entry:
        outb    %al, $0xf4
2:      hlt
        jmp     2b
        .org    0x600                   /* 64-bit entry: code32_start + 0x200 */
pm64_entry:
        outb    %al, $0xf4
3:      hlt
        jmp     3b
        .org    0x800
