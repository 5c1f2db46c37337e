# SPDX-License-Identifier: GPL-2.0-or-later
#
# Device set of the microvm build profile (configure-wrapper.sh):
# the microvm machine and the virtio-mmio devices a microVM needs.

CONFIG_MICROVM=y
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_BALLOON=y
CONFIG_VHOST_VSOCK=y
CONFIG_VIRTIO_9P=y
# acpi-erst (a PCI device: pcie=on); upstream's default device set has it
CONFIG_ACPI_ERST=y
# isa-debug-exit: test payloads and benchmarks end QEMU through it.
CONFIG_ISA_DEBUG=y
