// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupted system call part of a ghost, per thread. A thread
 * checkpointed in nanosleep(), poll() or a timed futex wait has a restart
 * block: after a signal without a handler the call goes on until its
 * deadline, not from the start. The block is saved with its deadline as
 * time left (on CLOCK_REALTIME, which the nodes share, as the deadline
 * itself), and made again on restart, where the registers resume the
 * thread in restart_syscall(). Any other interrupted call is made again
 * from the start (arch registers part).
 */
#include <linux/hrtimer.h>
#include <linux/krg_hooks.h>
#include <linux/restart_block.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/thread_info.h>
#include <linux/timekeeping.h>
#include <asm/syscall.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

/* Now on @clock, or -1 for a clock no restart block can have. */
static ktime_t clock_now(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
		return ktime_get_real();
	case CLOCK_MONOTONIC:
		return ktime_get();
	case CLOCK_BOOTTIME:
		return ktime_get_boottime();
	case CLOCK_TAI:
		return ktime_get_clocktai();
	}
	return -1;
}

static s64 time_saved(int clock, ktime_t deadline)
{
	if (clock == CLOCK_REALTIME)
		return deadline;
	return max_t(s64, ktime_sub(deadline, clock_now(clock)), 0);
}

static ktime_t deadline_of(int clock, s64 time_ns)
{
	if (clock == CLOCK_REALTIME)
		return time_ns;
	return ktime_add_safe(clock_now(clock), max_t(s64, time_ns, 0));
}

static void save_block(const struct restart_block *rb,
		       struct krg_img_syscall *img)
{
	struct timespec64 end;
	int clock;

	if (rb->fn == hrtimer_nanosleep_restart &&
	    rb->nanosleep.type != TT_COMPAT &&
	    clock_now(rb->nanosleep.clockid) >= 0) {
		img->kind = KRG_SYSCALL_NANOSLEEP;
		img->clock = rb->nanosleep.clockid;
		img->time_ns = time_saved(img->clock, rb->nanosleep.expires);
		img->addr = rb->nanosleep.type == TT_NATIVE ?
			    (u64)(uintptr_t)rb->nanosleep.rmtp : 0;
	} else if (rb->fn == do_restart_poll) {
		img->kind = KRG_SYSCALL_POLL;
		img->clock = CLOCK_MONOTONIC;	/* poll_select_set_timeout() */
		img->timeout = rb->poll.has_timeout;
		end.tv_sec = rb->poll.tv_sec;
		end.tv_nsec = rb->poll.tv_nsec;
		if (img->timeout)
			img->time_ns = time_saved(img->clock,
						  timespec64_to_ktime(end));
		img->nfds = rb->poll.nfds;
		img->addr = (u64)(uintptr_t)rb->poll.ufds;
	} else if (rb->fn == futex_wait_restart) {
		clock = krg_futex_restart_clock(rb->futex.flags);
		if (clock < 0)
			return;
		img->kind = KRG_SYSCALL_FUTEX;
		img->clock = clock;
		img->time_ns = time_saved(clock, rb->futex.time);
		img->addr = (u64)(uintptr_t)rb->futex.uaddr;
		img->val = rb->futex.val;
		img->bitset = rb->futex.bitset;
		img->flags = rb->futex.flags;
	}
}

int ghost_export_syscall(struct ghost_export *x)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct krg_img_syscall img = {};

	if (syscall_get_nr(current, regs) >= 0 &&
	    syscall_get_error(current, regs) == -ERESTART_RESTARTBLOCK)
		save_block(&current->restart_block, &img);
	x->restart_block = img.kind != KRG_SYSCALL_NONE;
	return ghost_section_write(x->g, KRG_SEC_SYSCALL, &img, sizeof(img));
}

static bool user_addr(u64 addr)
{
	return addr < TASK_SIZE_MAX;
}

static int make_block(const struct krg_img_syscall *img,
		      struct restart_block *rb)
{
	struct timespec64 end;

	if (!user_addr(img->addr) || clock_now(img->clock) < 0)
		return -EINVAL;
	switch (img->kind) {
	case KRG_SYSCALL_NANOSLEEP:
		rb->nanosleep.clockid = img->clock;
		rb->nanosleep.type = img->addr ? TT_NATIVE : TT_NONE;
		rb->nanosleep.rmtp = u64_to_user_ptr(img->addr);
		rb->nanosleep.expires = deadline_of(img->clock, img->time_ns);
		set_restart_fn(rb, hrtimer_nanosleep_restart);
		return 0;
	case KRG_SYSCALL_POLL:
		if (img->clock != CLOCK_MONOTONIC || img->nfds > INT_MAX ||
		    img->timeout > 1)
			return -EINVAL;
		end = ktime_to_timespec64(deadline_of(img->clock,
						      img->time_ns));
		rb->poll.ufds = u64_to_user_ptr(img->addr);
		rb->poll.nfds = img->nfds;
		rb->poll.has_timeout = img->timeout;
		rb->poll.tv_sec = end.tv_sec;
		rb->poll.tv_nsec = end.tv_nsec;
		set_restart_fn(rb, do_restart_poll);
		return 0;
	case KRG_SYSCALL_FUTEX:
		if (krg_futex_restart_clock(img->flags) != img->clock ||
		    !img->bitset)
			return -EINVAL;
		rb->futex.uaddr = u64_to_user_ptr(img->addr);
		rb->futex.val = img->val;
		rb->futex.bitset = img->bitset;
		rb->futex.flags = img->flags;
		rb->futex.time = deadline_of(img->clock, img->time_ns);
		set_restart_fn(rb, futex_wait_restart);
		return 0;
	}
	return -EINVAL;
}

int ghost_import_syscall(struct ghost_import *m)
{
	const struct krg_img_syscall *img;
	int err;

	err = ghost_import_take(m, KRG_SEC_SYSCALL, sizeof(*img),
				sizeof(*img));
	if (err)
		return err;
	img = m->data;
	/* No call to go on with, unless the image has one. */
	current->restart_block.fn = do_no_restart_syscall;
	if (img->kind == KRG_SYSCALL_NONE)
		return 0;
	if (make_block(img, &current->restart_block))
		return ghost_fail(m->msg, -EINVAL,
				  "bad interrupted call (kind %u, clock %d)",
				  img->kind, img->clock);
	return 0;
}
