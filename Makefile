# Front door of the microvm overlay.  Each target calls a script under
# scripts/; run 'make help' for the list.

.PHONY: all help deps build run check check-asan fuzz-smoke bench patches \
	check-bisect check-faults check-reliability clean distclean

all: build

help:
	@echo "make build      fetch upstream QEMU, apply the overlay, build"
	@echo "                build/qemu-system-x86_64 and the firmware ROM"
	@echo "make run        build, then boot a real Linux microVM"
	@echo "make check      build, then run every test"
	@echo "make check-asan our qtests and the device sweep under ASan and UBSan"
	@echo "make fuzz-smoke a short run of QEMU's generic fuzzer on microvm"
	@echo "make check-faults  1000 resets, 20 migrations and 20 savevm"
	@echo "                rounds in each boot mode"
	@echo "make check-reliability  50 Linux boots of each default configuration"
	@echo "make bench      ours against pristine upstream, same pin and profile"
	@echo "make patches    regenerate patches/export and patches/debian"
	@echo "make check-bisect  build every prefix of the series (slow)"
	@echo "make clean      remove build/ (the download cache is kept)"

deps:
	./scripts/setup-deps.sh

build: deps
	./scripts/build.sh

run: build
	./scripts/run.sh

check: build
	./scripts/setup-deps.sh --asan
	./scripts/check.sh

check-asan: deps
	./scripts/setup-deps.sh --asan
	./scripts/check-asan.sh

fuzz-smoke: deps
	./scripts/setup-deps.sh --asan
	./scripts/fuzz-smoke.sh

bench:
	./scripts/setup-deps.sh --bench
	./scripts/bench.sh

patches:
	./scripts/export-patches.sh

check-bisect: deps
	./scripts/check-bisect.sh

check-faults: build
	python3 tests-hostile/faults.py build/qemu-system-x86_64 \
		build/hostile/faults

check-reliability: build
	./tests-hostile/reliability.sh

clean:
	rm -rf build

distclean: clean
	rm -rf "$${XDG_CACHE_HOME:-$$HOME/.cache}/qemu-microvm"
