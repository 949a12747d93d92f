# krg top-level build. See Documentation/build.md.
TOP       := $(CURDIR)
BUILD     := $(TOP)/build
KSRC      := $(BUILD)/linux-source-6.12
KOBJ      := $(BUILD)/kernel
BZIMAGE   := $(KOBJ)/arch/x86/boot/bzImage
TOOLS_OBJ := $(BUILD)/ssi-tools
INITRAMFS := $(BUILD)/initramfs.cpio.gz
JOBS      ?= $(shell nproc)
NODES     ?= 3
PYTHON    ?= /usr/bin/python3

# Recursive (=): evaluated when a recipe runs, after deps installed it.
CCACHE  = $(shell command -v ccache 2>/dev/null)
# Paths under the checkout are hashed relative: clones share the cache.
export CCACHE_BASEDIR := $(TOP)
KMAKE  := $(MAKE) -C $(KSRC) O=$(KOBJ) -j$(JOBS) \
	  KBUILD_BUILD_TIMESTAMP=krg KBUILD_BUILD_USER=krg KBUILD_BUILD_HOST=krg \
	  $(if $(CCACHE),CC="ccache gcc")

.PHONY: all deps kernel-tree kernel modules tools progs initramfs test \
	unit-test demo cluster bench clean distclean

all: kernel modules tools progs initramfs

deps:
	@$(TOP)/scripts/deps.sh

kernel-tree: deps
	@$(TOP)/scripts/kernel-tree.sh $(TOP) $(BUILD)

$(KOBJ)/.config: kernel/config/krg.config scripts/kernel-config.sh | kernel-tree
	@$(TOP)/scripts/kernel-config.sh $(KSRC) $(KOBJ) $(TOP)/kernel/config/krg.config \
		$(if $(CCACHE),CC="ccache gcc")

kernel: kernel-tree $(KOBJ)/.config
	+@$(KMAKE) bzImage
	@echo "kernel: $(BZIMAGE) (Linux $$(cat $(BUILD)/kernel-version))"

# HA policy modules (ha-policies/*/), built against the krg kernel.
modules: kernel
	+@$(KMAKE) M=$(TOP)/ha-policies modules

tools: deps
	@cmake -S ssi-tools -B $(TOOLS_OBJ) -DCMAKE_BUILD_TYPE=Release >/dev/null
	+@cmake --build $(TOOLS_OBJ) -j$(JOBS)

progs: deps
	+@$(MAKE) -s -C tests/progs OUT=$(BUILD)/progs

initramfs: tools progs
	@$(TOP)/scripts/mkinitramfs.sh $(TOP) $(BUILD) $(INITRAMFS)

unit-test: tools
	@cd $(TOOLS_OBJ) && ctest --output-on-failure

test: all
	@$(TOP)/tests/run-all.sh

cluster: all
	@$(TOP)/scripts/cluster.sh $(NODES)

demo: all
	@$(TOP)/scripts/demo.sh

bench: all
	@$(PYTHON) $(TOP)/tests/bench/run.py

clean:
	rm -rf $(TOOLS_OBJ) $(BUILD)/progs $(INITRAMFS) $(BUILD)/initramfs
	-$(KMAKE) clean

distclean:
	rm -rf $(BUILD)
