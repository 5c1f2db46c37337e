#!/bin/bash
# Prepare the guest assets the real-Linux boot tests and `make run` use, under
# build/guest/ (idempotent; a no-op when up to date):
#   vmlinuz        Debian's cloud kernel (bzImage), fetched by package name
#                  with `apt-get download` + `dpkg-deb -x` (never installed)
#   vmlinux        the PVH ELF inside it (LZ4 payload from the setup header)
#   initramfs.cpio.gz  busybox-static initramfs with an /init that loads the
#                  virtio modules, prints MICROVM-USERSPACE-OK and some facts,
#                  then powers off (microvm.test=1) or gives a shell
#   disk.img       a small ext4 image holding a marker file
#   kernel.release, modules.order, disk-marker  facts the tests compare against
# Downloaded .debs are cached in ${XDG_CACHE_HOME:-$HOME/.cache}/qemu-microvm.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--force]

Builds build/guest/{vmlinuz,vmlinux,initramfs.cpio.gz,disk.img}.
  --force   rebuild even when the assets are up to date

Environment:
  GUEST_KERNEL_PKG  the meta package naming the kernel (default:
                    linux-image-cloud-amd64; its image dependency is fetched)
  MICROVM_CACHE     download cache (default: \$XDG_CACHE_HOME/qemu-microvm)
  MICROVM_BUILD     build folder (default: build/ in the checkout)

Needs: apt-get (Debian), dpkg-deb, busybox-static, cpio, gzip, e2fsprogs,
lz4, binutils (objcopy, readelf).  scripts/setup-deps.sh installs them.
USAGE
}

force=0
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        --force) force=1 ;;
        *) usage >&2; die "unknown argument: $arg" ;;
    esac
done

GUEST_DIR="$BUILD_DIR/guest"
DEB_CACHE="$CACHE_DIR/debs"
META_PKG=${GUEST_KERNEL_PKG:-linux-image-cloud-amd64}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Modules /init loads when present; dependencies are added and ordered
# automatically from each module's .modinfo "depends=" field.
WANTED_MODULES="virtio_mmio virtio_blk virtio_net virtio_console virtio-rng"
DISK_MARKER="MICROVM-DISK-MARKER 5d3c1e0a"

need_tool() {
    command -v "$1" >/dev/null 2>&1 ||
        die "'$1' not found (package $2): run scripts/setup-deps.sh"
}
need_tool apt-get apt
need_tool dpkg-deb dpkg
need_tool cpio cpio
need_tool gzip gzip
need_tool mke2fs e2fsprogs
need_tool lz4 lz4
need_tool objcopy binutils
need_tool readelf binutils
[ -x "$BUSYBOX" ] ||
    die "$BUSYBOX not found: apt-get install busybox-static (or set BUSYBOX=)"

# --- which kernel -----------------------------------------------------------

# The image package the meta package depends on, e.g.
# linux-image-6.1.0-56-cloud-amd64.
resolve_image_pkg() {
    apt-cache depends "$META_PKG" 2>/dev/null |
        awk '/^ *Depends: linux-image-/ { print $2; exit }'
}

image_pkg=$(resolve_image_pkg || true)
if [ -z "$image_pkg" ]; then
    msg "apt does not know $META_PKG yet: running apt-get update"
    apt-get update -q >/dev/null ||
        die "apt-get update failed: check network access to the Debian mirror"
    image_pkg=$(resolve_image_pkg || true)
    [ -n "$image_pkg" ] ||
        die "cannot resolve the image package of $META_PKG (apt-cache depends)"
fi
image_ver=$(apt-cache policy "$image_pkg" | awk '/Candidate:/ { print $2 }')
if [ -z "$image_ver" ] || [ "$image_ver" = "(none)" ]; then
    die "no candidate version of $image_pkg: run apt-get update"
fi

# One writer at a time (make may run the tests and `make run` in parallel).
mkdir -p "$GUEST_DIR"
exec 8>"$GUEST_DIR/.lock"
flock 8

# Everything the outputs depend on, to make reruns a no-op.
stamp_key=$( {
    echo "$image_pkg $image_ver"
    cat "$0"
    sha256sum "$BUSYBOX"
} | sha256sum | cut -d' ' -f1)
if [ $force = 0 ] && [ -f "$GUEST_DIR/.stamp" ] &&
        [ "$(cat "$GUEST_DIR/.stamp")" = "$stamp_key" ]; then
    msg "guest assets up to date in $GUEST_DIR ($image_pkg $image_ver)"
    exit 0
fi

# --- fetch ------------------------------------------------------------------

mkdir -p "$DEB_CACHE" "$GUEST_DIR"
deb="$DEB_CACHE/${image_pkg}_${image_ver//:/%3a}_amd64.deb"
if [ ! -s "$deb" ] || ! dpkg-deb --info "$deb" >/dev/null 2>&1; then
    msg "downloading $image_pkg $image_ver (apt-get download, ~27 MB)"
    tmpdl=$(mktemp -d "$DEB_CACHE/dl.XXXXXX")
    # apt's _apt user must be able to write there.
    chmod 0777 "$tmpdl"
    if ! (cd "$tmpdl" && apt-get download -q "$image_pkg=$image_ver") \
            >"$tmpdl/log" 2>&1; then
        msg "download failed; running apt-get update and retrying"
        apt-get update -q >/dev/null ||
            { rm -rf "$tmpdl"; die "apt-get update failed: check network"; }
        image_ver=$(apt-cache policy "$image_pkg" |
            awk '/Candidate:/ { print $2 }')
        deb="$DEB_CACHE/${image_pkg}_${image_ver//:/%3a}_amd64.deb"
        (cd "$tmpdl" && apt-get download -q "$image_pkg=$image_ver") \
            >"$tmpdl/log" 2>&1 || {
            cat "$tmpdl/log" >&2
            rm -rf "$tmpdl"
            die "apt-get download $image_pkg failed: check network and apt sources"
        }
    fi
    mv "$tmpdl"/*.deb "$deb"
    rm -rf "$tmpdl"
else
    msg "using cached $deb"
fi

work=$(mktemp -d "$GUEST_DIR/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

msg "unpacking $image_pkg (dpkg-deb -x, no install)"
dpkg-deb -x "$deb" "$work/pkg"
set -- "$work"/pkg/boot/vmlinuz-*
[ -f "$1" ] || die "no /boot/vmlinuz-* in $deb"
vmlinuz_src=$1
krel=${vmlinuz_src##*/vmlinuz-}
moddir="$work/pkg/lib/modules/$krel"
[ -d "$moddir" ] || die "no lib/modules/$krel in $deb"

# --- vmlinux (PVH ELF) out of the bzImage -------------------------------------

u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

msg "extracting the PVH vmlinux from the bzImage"
[ "$(od -An -c -j $((0x202)) -N4 "$vmlinuz_src" | tr -d ' ')" = HdrS ] ||
    die "$vmlinuz_src: no 'HdrS' setup header magic"
setup_sects=$(u8 "$vmlinuz_src" $((0x1f1)))
[ "$setup_sects" -ne 0 ] || setup_sects=4     # boot.rst: 0 means 4
payload_offset=$(u32 "$vmlinuz_src" $((0x248)))
payload_length=$(u32 "$vmlinuz_src" $((0x24c)))
pm_offset=$(( (setup_sects + 1) * 512 ))
start=$(( pm_offset + payload_offset ))
size=$(stat -c %s "$vmlinuz_src")
if [ "$payload_length" -le 4 ] || [ $(( start + payload_length )) -gt "$size" ]; then
    die "bad payload_offset/length ($payload_offset/$payload_length) in $vmlinuz_src"
fi
magic=$(od -An -tx1 -j "$start" -N4 "$vmlinuz_src" | tr -d ' ')
case "$magic" in
    02214c18|04224d18) ;;                      # LZ4 legacy / frame format
    *) die "payload is not LZ4 (magic $magic): this script only handles LZ4 kernels" ;;
esac
# The kernel build appends the decompressed size (le32) to the compressed
# stream (scripts/Makefile.lib size_append); lz4 must not see those 4 bytes.
expect_size=$(u32 "$vmlinuz_src" $(( start + payload_length - 4 )))
tail -c +$(( start + 1 )) "$vmlinuz_src" | head -c $(( payload_length - 4 )) |
    lz4 -dc > "$work/vmlinux" ||
    die "lz4 -dc of the kernel payload failed"
[ "$(stat -c %s "$work/vmlinux")" = "$expect_size" ] ||
    die "decompressed vmlinux is $(stat -c %s "$work/vmlinux") bytes, header says $expect_size"
[ "$(od -An -c -N4 "$work/vmlinux" | tr -d ' ')" = "177ELF" ] ||
    die "the decompressed payload is not an ELF"
# XEN_ELFNOTE_PHYS32_ENTRY (18 = 0x12): the PVH entry point.
readelf -n "$work/vmlinux" |
        awk '$1 == "Xen" && /\(0x00000012\)|PHYS32_ENTRY/ { found = 1 }
             END { exit !found }' ||
    die "the vmlinux has no Xen PVH note (type 0x12): kernel built without CONFIG_PVH?"

# --- modules, in dependency order ---------------------------------------------

modpath() {
    find "$moddir/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" \
        -o -name "$1.ko.zst" -o -name "$1.ko.gz" \) -print -quit
}

# Decompressed copy of module $1 in $work/mods/$1.ko; prints nothing.
fetch_module() {
    local src=$1 dst="$work/mods/$2.ko"
    case "$src" in
        *.ko.xz) xz -dc "$src" > "$dst" ;;
        *.ko.zst) zstd -qdc "$src" > "$dst" ;;
        *.ko.gz) gzip -dc "$src" > "$dst" ;;
        *) cp "$src" "$dst" ;;
    esac
}

module_deps() {
    objcopy -O binary --only-section=.modinfo "$1" /dev/stdout 2>/dev/null |
        tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

mkdir -p "$work/mods"
: > "$work/modules.order"
declare -A visited=()
# Depth-first: dependencies land in modules.order before their users.
add_module() {
    local name=$1 src dep
    [ -z "${visited[$name]:-}" ] || return 0
    visited[$name]=1
    src=$(modpath "$name")
    if [ -z "$src" ]; then
        # Built in (=y) or absent: nothing to load.
        grep -q "/${name//[-_]/[-_]}.ko\$" "$moddir/modules.builtin" 2>/dev/null ||
            msg "note: module $name is neither modular nor listed as built-in"
        return 0
    fi
    fetch_module "$src" "$name"
    for dep in $(module_deps "$work/mods/$name.ko"); do
        add_module "$dep"
    done
    echo "$name" >> "$work/modules.order"
}
for m in $WANTED_MODULES; do
    add_module "$m"
done
msg "modules (load order): $(tr '\n' ' ' < "$work/modules.order")"

# --- initramfs -----------------------------------------------------------------

msg "building the busybox initramfs"
root="$work/initramfs"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,mnt,tmp,etc,lib/modules,usr/bin,usr/sbin}
cp "$BUSYBOX" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$work"/mods/*.ko "$root/lib/modules/" 2>/dev/null || true
cp "$work/modules.order" "$root/etc/modules.order"
echo "$DISK_MARKER" > "$root/etc/disk-marker"

cat > "$root/init" <<'INIT'
#!/bin/sh
# microvm test guest init.  Kernel command line switches:
#   microvm.test=1   print facts, then reboot -f (QEMU -no-reboot exits)
#   microvm.end=poweroff  with microvm.test=1: poweroff -f instead (ACPI)
#   microvm.boot-timer=ADDR  write 123 to ADDR (the boot timer's marker)
#   microvm.hvc=TOKEN  write "MICROVM-HVC TOKEN" to /dev/hvc0 (virtconsole)
#   microvm.net=IP:PORT  eth0 as slirp's 10.0.2.15, then fetch
#                    http://IP:PORT/ and print it as the net-reply fact
#   (otherwise)      print facts, then an interactive shell on the console
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null
# In case the kernel found no /dev/console before devtmpfs was mounted.
# Try the open first: a failed redirection of exec ends the shell, and
# with console=hvc0 there is no console until virtio_console is loaded.
( : </dev/console ) 2>/dev/null && exec </dev/console >/dev/console 2>&1

test_mode=0
end=reboot
boot_timer=
hvc_token=
net_peer=
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        microvm.test=1) test_mode=1 ;;
        microvm.end=poweroff) end=poweroff ;;
        microvm.boot-timer=*) boot_timer=${arg#microvm.boot-timer=} ;;
        microvm.hvc=*) hvc_token=${arg#microvm.hvc=} ;;
        microvm.net=*) net_peer=${arg#microvm.net=} ;;
    esac
done

# First userspace output, before any module is loaded: make bench's
# "userspace" point, and the boot timer's (-M microvm,boot-timer=on) marker
echo "MICROVM-INIT"
[ -z "$boot_timer" ] || devmem "$boot_timer" 8 123

for m in $(cat /etc/modules.order); do
    if insmod "/lib/modules/$m.ko" 2>/tmp/insmod.err; then
        echo "MICROVM-MODULE $m loaded"
    else
        echo "MICROVM-MODULE $m failed: $(cat /tmp/insmod.err)"
    fi
done
# Give the drivers' probes a moment to create device nodes (bounded).
i=0
while [ $i -lt 20 ] && [ ! -b /dev/vda ]; do
    [ -d /sys/bus/virtio/devices ] &&
        [ -n "$(ls /sys/bus/virtio/devices 2>/dev/null)" ] || break
    sleep 0.1; i=$((i + 1))
done

# console=hvc0 (upstream's docs use it) with virtio_console a module: the
# kernel had no console for init; the virtconsole exists now
case " $(cat /proc/cmdline) " in
    *" console=hvc0"*)
        # wait until it opens (the node can precede the driver's
        # readiness), and try the open first: a failed exec redirection
        # ends the shell, and init with it
        i=0
        while [ $i -lt 20 ] && ! ( : </dev/hvc0 ) 2>/dev/null; do
            sleep 0.1; i=$((i + 1))
        done
        ( : </dev/hvc0 ) 2>/dev/null && exec </dev/hvc0 >/dev/hvc0 2>&1 ;;
esac

echo "MICROVM-USERSPACE-OK"
echo "MICROVM-FACT uname-r=$(uname -r)"
echo "MICROVM-FACT nproc=$(nproc)"
# SMBIOS as the firmware installed it (-smbios type=1,manufacturer=...)
echo "MICROVM-FACT dmi-sys-vendor=$(cat /sys/class/dmi/id/sys_vendor 2>/dev/null || echo none)"
echo "MICROVM-FACT memtotal-kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
echo "MICROVM-FACT cmdline=$(cat /proc/cmdline)"
echo "MICROVM-FACT virtio-devices=$(ls /sys/bus/virtio/devices 2>/dev/null | tr '\n' ' ')"
if [ -b /dev/vda ]; then
    echo "MICROVM-FACT vda=yes"
    if mount -t ext4 -o ro /dev/vda /mnt 2>/tmp/mount.err; then
        echo "MICROVM-FACT disk-marker=$(cat /mnt/marker.txt)"
        umount /mnt
    else
        echo "MICROVM-FACT disk-marker=mount-failed: $(cat /tmp/mount.err)"
    fi
else
    echo "MICROVM-FACT vda=no"
fi
if ip link show eth0 >/dev/null 2>&1; then
    echo "MICROVM-FACT eth0=yes"
    ip link show eth0
else
    echo "MICROVM-FACT eth0=no"
fi
ip link
# virtio-rng: the kernel's hwrng core picks the device, /dev/hwrng reads it
rng=/sys/class/misc/hw_random/rng_current
echo "MICROVM-FACT rng-current=$(cat $rng 2>/dev/null || echo none)"
case "$(cat $rng 2>/dev/null)" in
    ''|none) ;;
    *) echo "MICROVM-FACT hwrng-bytes=$(timeout 10 head -c 64 /dev/hwrng | wc -c)" ;;
esac
# virtio-console: a line for the host side of the virtconsole port
if [ -n "$hvc_token" ]; then
    if [ -c /dev/hvc0 ] && echo "MICROVM-HVC $hvc_token" > /dev/hvc0; then
        echo "MICROVM-FACT hvc0=written"
    else
        echo "MICROVM-FACT hvc0=missing"
    fi
fi
# virtio-net through slirp: guest 10.0.2.15, the host is 10.0.2.2
if [ -n "$net_peer" ]; then
    ip addr add 10.0.2.15/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.2
    echo "MICROVM-FACT net-reply=$(timeout 30 wget -q -O - "http://$net_peer/" 2>&1 | head -n1)"
fi

if [ $test_mode = 1 ]; then
    sync
    if [ $end = poweroff ]; then
        echo "MICROVM-DONE powering off"
        poweroff -f
    fi
    echo "MICROVM-DONE rebooting"
    reboot -f
else
    echo "microvm guest: interactive shell; 'reboot -f' ends QEMU (-no-reboot)"
    while :; do
        setsid cttyhack sh -l
        echo "shell exited: rebooting"
        reboot -f
        sleep 1
    done
fi
# Never return: init exiting panics the kernel.
while :; do sleep 3600; done
INIT
chmod 0755 "$root/init"

# Fixed mtimes and inode numbers: the same inputs give the same bytes.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --owner=0:0 --reproducible --quiet) |
    gzip -9n > "$work/initramfs.cpio.gz"

# --- ext4 disk -------------------------------------------------------------------

msg "building the ext4 disk image"
mkdir -p "$work/disk"
echo "$DISK_MARKER" > "$work/disk/marker.txt"
rm -f "$work/disk.img"
mke2fs -q -t ext4 -L microvm-test -d "$work/disk" "$work/disk.img" 8M >/dev/null ||
    die "mke2fs -d failed (needs e2fsprogs >= 1.43)"

# --- install ---------------------------------------------------------------------

cp "$vmlinuz_src" "$work/vmlinuz"
echo "$krel" > "$work/kernel.release"
echo "$DISK_MARKER" > "$work/disk-marker"
for f in vmlinuz vmlinux initramfs.cpio.gz disk.img kernel.release \
        modules.order disk-marker; do
    mv -f "$work/$f" "$GUEST_DIR/$f"
done
cp "$work/pkg/boot/config-$krel" "$GUEST_DIR/config"
echo "$stamp_key" > "$GUEST_DIR/.stamp"
msg "guest assets ready in $GUEST_DIR (kernel $krel)"
