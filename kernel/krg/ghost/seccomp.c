// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp part of a ghost, per thread: its mode and, in filter mode,
 * each filter's classic BPF program, the oldest first (patch 0015 reads
 * them as PTRACE_SECCOMP_GET_FILTER does). A restart that lost them would
 * let a sandboxed process out of its sandbox, so restart attaches them
 * again in the restored thread, with the checks of seccomp(2): no new
 * privileges (restored before) or CAP_SYS_ADMIN. Filters only restrict:
 * one from an image can take nothing away that the thread may do.
 *
 * Each thread gets its own copy of its chain: threads that shared one
 * still filter alike, but a SECCOMP_FILTER_FLAG_TSYNC after the restart
 * finds chains that are not each other's ancestors and fails, as it does
 * for threads that filter differently. A filter with a user notification
 * listener refuses the checkpoint: the listener (a supervisor's fd in
 * another process) cannot be given back.
 */
#include <linux/filter.h>
#include <linux/krg_hooks.h>
#include <linux/seccomp.h>
#include <linux/slab.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static int export_filter(struct ghost_export *x, unsigned long i)
{
	struct krg_img_seccomp_filter *img;
	struct sock_filter *insns;
	unsigned short len;
	unsigned int flags;
	size_t size;
	long err;

	err = krg_seccomp_get(current, i, &insns, &len, &flags);
	if (err == -EBUSY)
		return ghost_fail(x->msg, -EBUSY,
				  "a seccomp filter with a user notifier");
	if (err)
		return ghost_fail(x->msg, err, "cannot read seccomp filter %lu",
				  i);
	size = sizeof(*img) + len * sizeof(*insns);
	img = kmalloc(size, GFP_KERNEL);
	if (img) {
		img->flags = flags;
		img->len = len;
		memcpy(img + 1, insns, len * sizeof(*insns));
		err = ghost_section_write(x->g, KRG_SEC_SECCOMP_FILTER, img,
					  size);
	}
	kfree(insns);
	kfree(img);
	return img ? err : -ENOMEM;
}

int ghost_export_seccomp(struct ghost_export *x)
{
	struct krg_img_seccomp img = { .mode = current->seccomp.mode };
	unsigned long i;
	int err;

	if (img.mode == SECCOMP_MODE_FILTER)
		img.nfilters = atomic_read(&current->seccomp.filter_count);
	if (img.mode > SECCOMP_MODE_FILTER)
		return ghost_fail(x->msg, -EBUSY, "seccomp mode %u", img.mode);
	if (img.nfilters > KRG_IMG_MAX_SECCOMP_FILTERS)
		return ghost_fail(x->msg, -E2BIG,
				  "more than %u seccomp filters",
				  KRG_IMG_MAX_SECCOMP_FILTERS);
	err = ghost_section_write(x->g, KRG_SEC_SECCOMP, &img, sizeof(img));
	for (i = 0; i < img.nfilters && !err; i++)
		err = export_filter(x, i);
	return err;
}

static int import_filter(struct ghost_import *m, u32 i)
{
	const struct krg_img_seccomp_filter *img;
	long err;

	err = ghost_import_take(m, KRG_SEC_SECCOMP_FILTER, sizeof(*img),
				sizeof(*img) +
				BPF_MAXINSNS * sizeof(struct sock_filter));
	if (err)
		return err;
	img = m->data;
	if (img->flags & ~SECCOMP_FILTER_FLAG_LOG || !img->len ||
	    img->len > BPF_MAXINSNS ||
	    m->len != sizeof(*img) + img->len * sizeof(struct sock_filter))
		return ghost_fail(m->msg, -EINVAL, "bad seccomp filter %u", i);
	err = krg_seccomp_attach((const struct sock_filter *)(img + 1),
				 img->len, img->flags);
	return err ? ghost_fail(m->msg, err, "cannot attach seccomp filter %u",
				i) : 0;
}

int ghost_import_seccomp(struct ghost_import *m)
{
	const struct krg_img_seccomp *img;
	u32 i, n;
	int err;

	err = ghost_import_take(m, KRG_SEC_SECCOMP, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	n = img->nfilters;
	if (img->mode > SECCOMP_MODE_FILTER ||
	    (img->mode == SECCOMP_MODE_FILTER) !=
	    (n > 0 && n <= KRG_IMG_MAX_SECCOMP_FILTERS))
		return ghost_fail(m->msg, -EINVAL, "bad seccomp mode %u",
				  img->mode);
	if (img->mode == SECCOMP_MODE_STRICT) {
		err = krg_seccomp_strict();
		return err ? ghost_fail(m->msg, err,
					"cannot enter seccomp strict mode") : 0;
	}
	for (i = 0; i < n && !err; i++)
		err = import_filter(m, i);
	return err;
}
