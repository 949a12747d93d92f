// SPDX-License-Identifier: GPL-2.0
/*
 * The timers part of a ghost: the process's interval timers (ITIMER_REAL,
 * which alarm() arms too, ITIMER_VIRTUAL and ITIMER_PROF), as time left
 * and period. They restart counting from the restart.
 */
#include <linux/krg_hooks.h>
#include <linux/time.h>
#include <linux/time64.h>
#include <uapi/linux/time.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

int ghost_export_timers(struct ghost_export *x)
{
	struct krg_img_itimers img = {};
	struct itimerspec64 its;
	int which, err;

	for (which = 0; which < 3; which++) {
		err = krg_getitimer(which, &its);
		if (err)
			return err;
		img.timer[which].value_ns = timespec64_to_ns(&its.it_value);
		img.timer[which].interval_ns = timespec64_to_ns(&its.it_interval);
	}
	return ghost_section_write(x->g, KRG_SEC_ITIMERS, &img, sizeof(img));
}

int ghost_import_timers(struct ghost_import *m)
{
	const struct krg_img_itimers *img;
	struct itimerspec64 its;
	int which, err;

	err = ghost_import_take(m, KRG_SEC_ITIMERS, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	for (which = 0; which < 3; which++) {
		if (img->timer[which].value_ns > KTIME_SEC_MAX * NSEC_PER_SEC ||
		    img->timer[which].interval_ns > KTIME_SEC_MAX * NSEC_PER_SEC)
			return ghost_fail(m->msg, -EINVAL, "bad interval timer");
		if (!img->timer[which].value_ns)
			continue;
		its.it_value = ns_to_timespec64(img->timer[which].value_ns);
		its.it_interval = ns_to_timespec64(img->timer[which].interval_ns);
		err = krg_setitimer(which, &its);
		if (err)
			return ghost_fail(m->msg, err, "cannot arm timer %d", which);
	}
	return 0;
}
