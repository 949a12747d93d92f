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
# make in the kernel tree, out of it in $(1); recursive, for $(CCACHE).
kmake   = $(MAKE) -C $(KSRC) O=$(1) -j$(JOBS) \
	  KBUILD_BUILD_TIMESTAMP=krg KBUILD_BUILD_USER=krg KBUILD_BUILD_HOST=krg \
	  $(if $(CCACHE),CC="ccache gcc")
KMAKE   = $(call kmake,$(KOBJ))
# The debug kernel (KASAN, kmemleak, lockdep...), from the same tree.
KOBJ_DEBUG := $(BUILD)/kernel-debug
KCONFIG    := $(TOP)/kernel/config/krg.config
KCONFIG_DEBUG := $(KCONFIG),$(TOP)/kernel/config/debug.config

.PHONY: all deps kernel-tree kernel kernel-debug modules tools progs initramfs \
	test test-debug fuzz unit-test demo cluster bench clean distclean

all: kernel modules tools progs initramfs

deps:
	@$(TOP)/scripts/deps.sh

kernel-tree: deps
	@$(TOP)/scripts/kernel-tree.sh $(TOP) $(BUILD)

$(KOBJ)/.config: kernel/config/krg.config scripts/kernel-config.sh | kernel-tree
	@$(TOP)/scripts/kernel-config.sh $(KSRC) $(KOBJ) $(KCONFIG) \
		$(if $(CCACHE),CC="ccache gcc")

kernel: kernel-tree $(KOBJ)/.config
	+@$(KMAKE) bzImage
	@echo "kernel: $(BZIMAGE) (Linux $$(cat $(BUILD)/kernel-version))"

$(KOBJ_DEBUG)/.config: kernel/config/krg.config kernel/config/debug.config \
		scripts/kernel-config.sh | kernel-tree
	@$(TOP)/scripts/kernel-config.sh $(KSRC) $(KOBJ_DEBUG) $(KCONFIG_DEBUG) \
		$(if $(CCACHE),CC="ccache gcc")

kernel-debug: kernel-tree $(KOBJ_DEBUG)/.config
	+@$(call kmake,$(KOBJ_DEBUG)) bzImage
	@echo "kernel-debug: $(KOBJ_DEBUG)/arch/x86/boot/bzImage"

# HA policy modules (ha-policies/*/), built against the krg kernel: its
# own modules pass first, which writes the Module.symvers they link to.
modules: kernel
	+@$(KMAKE) modules
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

# The suite on the krg kernel, then its security, fuzz and checkpoint
# tests on the debug kernel (tests/run-all.sh).
test: all kernel-debug
	@$(TOP)/tests/run-all.sh

# The whole suite on the debug kernel.
test-debug: all kernel-debug
	@$(TOP)/tests/run-all.sh --debug-only

# A long fuzzing campaign, a new seed each time (Documentation/testing.md).
fuzz: all kernel-debug
	@$(PYTHON) $(TOP)/tests/fuzz/campaign.py

cluster: all
	@$(TOP)/scripts/cluster.sh $(NODES)

demo: all
	@$(TOP)/scripts/demo.sh

bench: all
	@$(PYTHON) $(TOP)/tests/bench/run.py

clean:
	rm -rf $(TOOLS_OBJ) $(BUILD)/progs $(INITRAMFS) $(BUILD)/initramfs
	-$(KMAKE) clean
	-$(call kmake,$(KOBJ_DEBUG)) clean

distclean:
	rm -rf $(BUILD)
