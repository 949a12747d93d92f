// SPDX-License-Identifier: GPL-2.0
/*
 * The limits part of a ghost: resource limits. Raising a hard limit
 * needs CAP_SYS_RESOURCE, as for setrlimit().
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/posix-timers.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static_assert(RLIM_NLIMITS == KRG_IMG_NLIMITS);

int ghost_export_limits(struct ghost_export *x)
{
	struct krg_img_limits img;
	int i;

	task_lock(current->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		img.rlim[i].cur = current->signal->rlim[i].rlim_cur;
		img.rlim[i].max = current->signal->rlim[i].rlim_max;
	}
	task_unlock(current->group_leader);
	return ghost_section_write(x->g, KRG_SEC_LIMITS, &img, sizeof(img));
}

int ghost_import_limits(struct ghost_import *m)
{
	const struct krg_img_limits *img;
	struct rlimit *r = current->signal->rlim;
	bool may_raise = capable(CAP_SYS_RESOURCE);
	int i, err;

	err = ghost_import_take(m, KRG_SEC_LIMITS, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	for (i = 0; i < RLIM_NLIMITS; i++) {
		if (img->rlim[i].cur > img->rlim[i].max ||
		    (i == RLIMIT_NOFILE && img->rlim[i].max > sysctl_nr_open))
			return ghost_fail(m->msg, -EINVAL, "bad limit %d", i);
		if (img->rlim[i].max > r[i].rlim_max && !may_raise)
			return ghost_fail(m->msg, -EPERM,
					  "limit %d above the caller's", i);
	}
	task_lock(current->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		r[i].rlim_cur = img->rlim[i].cur;
		r[i].rlim_max = img->rlim[i].max;
	}
	task_unlock(current->group_leader);
	if (img->rlim[RLIMIT_CPU].cur != RLIM_INFINITY)
		update_rlimit_cpu(current, img->rlim[RLIMIT_CPU].cur);
	return 0;
}
