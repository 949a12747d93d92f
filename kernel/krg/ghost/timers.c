// SPDX-License-Identifier: GPL-2.0
/*
 * The timers part of a ghost: the process's interval timers (ITIMER_REAL,
 * which alarm() arms too, ITIMER_VIRTUAL and ITIMER_PROF), then its POSIX
 * timers (timer_create()) with their ids, notifications and overrun
 * counts, all as time left and period. They restart counting from the
 * restart.
 */
#include <linux/krg_hooks.h>
#include <linux/time.h>
#include <linux/slab.h>
#include <linux/time64.h>
#include <uapi/linux/time.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

/* More would not fit the default RLIMIT_SIGPENDING anyway. */
#define MAX_POSIX_TIMERS	4096

static int export_posix_timers(struct ghost_export *x)
{
	struct krg_img_posix_timer *img;
	struct krg_posix_timer t;
	int n = 0, id = 0, err;

	img = kvcalloc(MAX_POSIX_TIMERS, sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	while ((err = krg_timer_get(id, &t)) == 0) {
		if (n == MAX_POSIX_TIMERS) {
			err = ghost_fail(x->msg, -EBUSY,
					 "more than %d POSIX timers",
					 MAX_POSIX_TIMERS);
			goto out;
		}
		img[n].id = t.id;
		img[n].clock = t.clock;
		img[n].notify = t.notify;
		img[n].signo = t.signo;
		img[n].tid = t.tid;
		img[n].value = t.value;
		img[n].overrun = t.overrun;
		img[n].value_ns = timespec64_to_ns(&t.spec.it_value);
		img[n].interval_ns = timespec64_to_ns(&t.spec.it_interval);
		n++;
		if (t.id == INT_MAX)
			break;
		id = t.id + 1;
	}
	if (err == -ENOENT || !err)
		err = ghost_section_write(x->g, KRG_SEC_POSIX_TIMERS, img,
					  n * sizeof(*img));
out:
	kvfree(img);
	return err;
}

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
	err = ghost_section_write(x->g, KRG_SEC_ITIMERS, &img, sizeof(img));
	return err ? err : export_posix_timers(x);
}

static bool bad_time(u64 ns)
{
	return ns > KTIME_SEC_MAX * NSEC_PER_SEC;
}

static int import_posix_timers(struct ghost_import *m)
{
	const struct krg_img_posix_timer *img;
	struct krg_posix_timer t;
	u32 i, n;
	int err;

	err = ghost_import_take_array(m, KRG_SEC_POSIX_TIMERS, sizeof(*img),
				      MAX_POSIX_TIMERS, &n);
	if (err)
		return err;
	img = m->data;
	for (i = 0; i < n; i++) {
		if (bad_time(img[i].value_ns) || bad_time(img[i].interval_ns) ||
		    img[i].overrun < 0)
			return ghost_fail(m->msg, -EINVAL, "bad POSIX timer %d",
					  img[i].id);
		t.id = img[i].id;
		t.clock = img[i].clock;
		t.notify = img[i].notify;
		t.signo = img[i].signo;
		t.tid = img[i].tid;
		t.value = img[i].value;
		t.overrun = img[i].overrun;
		t.spec.it_value = ns_to_timespec64(img[i].value_ns);
		t.spec.it_interval = ns_to_timespec64(img[i].interval_ns);
		/* The kernel checks the clock, notification and thread. */
		err = krg_timer_create(&t);
		if (err)
			return ghost_fail(m->msg, err, "cannot create POSIX timer %d",
					  t.id);
	}
	return 0;
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
		if (bad_time(img->timer[which].value_ns) ||
		    bad_time(img->timer[which].interval_ns))
			return ghost_fail(m->msg, -EINVAL, "bad interval timer");
		if (!img->timer[which].value_ns)
			continue;
		its.it_value = ns_to_timespec64(img->timer[which].value_ns);
		its.it_interval = ns_to_timespec64(img->timer[which].interval_ns);
		err = krg_setitimer(which, &its);
		if (err)
			return ghost_fail(m->msg, err, "cannot arm timer %d", which);
	}
	return import_posix_timers(m);
}
