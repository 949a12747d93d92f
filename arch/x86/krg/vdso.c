// SPDX-License-Identifier: GPL-2.0
/*
 * The vDSO on x86_64: where it is, and mapping it again at the same
 * address on restart (its callers keep pointers into it).
 */
#include <linux/mm.h>
#include <asm/vdso.h>
#include <krg/ghost_task.h>

/* The vvar + vDSO block of @mm and its text address; false if none. */
bool ghost_arch_vdso(struct mm_struct *mm, unsigned long *start,
		     unsigned long *end, unsigned long *text)
{
	unsigned long vdso = (unsigned long)mm->context.vdso;

	if (!vdso)
		return false;
	*text = vdso;
	*start = vdso + vdso_image_64.sym_vvar_start;
	*end = vdso + vdso_image_64.size;
	return true;
}

int ghost_arch_map_vdso(unsigned long text)
{
	int err;

	err = map_vdso_once(&vdso_image_64, text + vdso_image_64.sym_vvar_start);
	if (!err && (unsigned long)current->mm->context.vdso != text)
		err = -EINVAL;	/* not where the image wants it */
	return err;
}
