// SPDX-License-Identifier: GPL-2.0
/*
 * The FPU part of a ghost on x86: the user xstate in the standard XSAVE
 * format of PTRACE_GETREGSET (NT_X86_XSTATE), or the FXSAVE area on CPUs
 * without XSAVE. The importing kernel validates it as ptrace would; a
 * node whose CPU has another xstate layout refuses the image.
 */
#include <linux/errno.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/regset.h>
#include <asm/fpu/types.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static bool has_xsave(void)
{
	return cpu_feature_enabled(X86_FEATURE_XSAVE);
}

static unsigned int fpu_size(void)
{
	return has_xsave() ? fpu_user_cfg.max_size :
			     sizeof(struct fxregs_state);
}

int ghost_export_fpu(struct ghost_export *x)
{
	unsigned int size = fpu_size();
	struct krg_img_fpu *h;
	struct membuf to;
	int err;

	h = kvzalloc(sizeof(*h) + size, GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->format = has_xsave() ? 2 : 1;
	h->size = size;
	to = (struct membuf) { .p = h + 1, .left = size };
	err = has_xsave() ? xstateregs_get(current, NULL, to) :
			    xfpregs_get(current, NULL, to);
	if (!err)
		err = ghost_section_write(x->g, KRG_SEC_FPU, h,
					  sizeof(*h) + size);
	kvfree(h);
	return err;
}

int ghost_import_fpu(struct ghost_import *m)
{
	unsigned int size = fpu_size();
	const struct krg_img_fpu *h;
	int err;

	err = ghost_import_take(m, KRG_SEC_FPU, sizeof(*h), sizeof(*h) + size);
	if (err)
		return err;
	h = m->data;
	if (h->format != (has_xsave() ? 2 : 1) || h->size != size ||
	    m->len != sizeof(*h) + size)
		return ghost_fail(m->msg, -EINVAL,
				  "FPU state of another layout (%u bytes)",
				  h->size);
	fpregs_lock();
	err = has_xsave() ? xstateregs_set(current, NULL, 0, size, h + 1, NULL) :
			    xfpregs_set(current, NULL, 0, size, h + 1, NULL);
	/* Load it on the way to user space, whatever the CPU holds now. */
	set_thread_flag(TIF_NEED_FPU_LOAD);
	fpregs_unlock();
	return err ? ghost_fail(m->msg, err, "bad FPU state") : 0;
}
