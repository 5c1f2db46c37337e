# Front door of the microvm overlay.  Each target calls a script under
# scripts/; run 'make help' for the list.

.PHONY: all help deps build run check bench clean distclean

all: build

help:
	@echo "make build      fetch upstream QEMU, apply the overlay, build"
	@echo "                build/qemu-system-x86_64 and the firmware ROM"
	@echo "make run        build, then boot a real Linux microVM"
	@echo "make check      build, then run every test"
	@echo "make bench      ours against pristine upstream, same pin and profile"
	@echo "make clean      remove build/ (the download cache is kept)"

deps:
	./scripts/setup-deps.sh

build: deps
	./scripts/build.sh

run: build
	./scripts/run.sh

check: build
	./scripts/check.sh

bench:
	./scripts/setup-deps.sh --bench
	./scripts/bench.sh

clean:
	rm -rf build

distclean: clean
	rm -rf "$${XDG_CACHE_HOME:-$$HOME/.cache}/qemu-microvm"
