// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduling part of a ghost, per thread: nice value, policy and
 * real-time priority, reset-on-fork. Restart sets them as
 * sched_setscheduler() and setpriority() would for the restored thread:
 * a real-time policy or a lower nice value needs CAP_SYS_NICE or the
 * room RLIMIT_RTPRIO and RLIMIT_NICE give (the limits part comes
 * first). A deadline thread refuses the checkpoint.
 */
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <uapi/linux/sched/types.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

int ghost_export_sched(struct ghost_export *x)
{
	struct task_struct *t = current;
	struct krg_img_sched img = {
		.nice = task_nice(t),
		.policy = t->policy,
		.rt_priority = t->rt_priority,
		.reset_on_fork = t->sched_reset_on_fork,
	};

	if (t->policy == SCHED_DEADLINE)
		return ghost_fail(x->msg, -EBUSY, "a SCHED_DEADLINE thread");
	return ghost_section_write(x->g, KRG_SEC_SCHED, &img, sizeof(img));
}

static bool rt(u32 policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

int ghost_import_sched(struct ghost_import *m)
{
	const struct krg_img_sched *img;
	struct sched_attr attr = { .size = sizeof(attr) };
	int err;

	err = ghost_import_take(m, KRG_SEC_SCHED, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	if (img->nice < MIN_NICE || img->nice > MAX_NICE ||
	    img->reset_on_fork > 1 ||
	    (img->policy != SCHED_NORMAL && img->policy != SCHED_BATCH &&
	     img->policy != SCHED_IDLE && !rt(img->policy)) ||
	    (rt(img->policy) ? img->rt_priority < 1 ||
			       img->rt_priority > MAX_RT_PRIO - 1 :
			       img->rt_priority != 0))
		return ghost_fail(m->msg, -EINVAL, "bad scheduling state");
	attr.sched_policy = img->policy;
	attr.sched_priority = img->rt_priority;
	attr.sched_nice = img->nice;
	if (img->reset_on_fork)
		attr.sched_flags = SCHED_FLAG_RESET_ON_FORK;
	/* With the permission checks sched_setattr() makes. */
	err = sched_setattr(current, &attr);
	return err ? ghost_fail(m->msg, err,
				"cannot set its policy %u, nice %d",
				img->policy, img->nice) : 0;
}
