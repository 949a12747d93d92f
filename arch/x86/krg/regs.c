// SPDX-License-Identifier: GPL-2.0
/*
 * The registers part of a ghost on x86_64: general registers and the
 * FS/GS bases (TLS). Only 64-bit tasks, whose segment selectors are the
 * defaults, are saved.
 *
 * A task exports itself from a task work run by get_signal(), before a
 * system call it interrupted is set up for restart: the image holds the
 * call's number and its -ERESTART* code. The restarted thread takes the
 * same way out (arch_do_signal_or_restart()): the call is made again, goes
 * on in restart_syscall(), or returns EINTR to a signal handler, exactly
 * as if the signal that interrupted it came now.
 */
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <asm/fsgsbase.h>
#include <asm/prctl.h>
#include <asm/proto.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

/* The flags a user may set, as ptrace allows. */
#define USER_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_AC | \
			 X86_EFLAGS_ID)

int ghost_export_regs(struct ghost_export *x)
{
	struct pt_regs *r = task_pt_regs(current);
	struct krg_img_regs img = {
		.r15 = r->r15, .r14 = r->r14, .r13 = r->r13, .r12 = r->r12,
		.bp = r->bp, .bx = r->bx, .r11 = r->r11, .r10 = r->r10,
		.r9 = r->r9, .r8 = r->r8, .ax = r->ax, .cx = r->cx,
		.dx = r->dx, .si = r->si, .di = r->di, .ip = r->ip,
		.flags = r->flags & USER_FLAGS, .sp = r->sp,
		.fs_base = x86_fsbase_read_task(current),
		.gs_base = x86_gsbase_read_task(current),
	};

	if (!user_64bit_mode(r) || current->thread.fsindex ||
	    current->thread.gsindex)
		return ghost_fail(x->msg, -EBUSY,
				  "not a 64-bit task with default segments");
	img.orig_ax = syscall_get_nr(current, r) >= 0 ? r->orig_ax : -1;
	/* A restart block not saved (syscall.c) cannot go on: start over. */
	if (img.orig_ax >= 0 && r->ax == -ERESTART_RESTARTBLOCK &&
	    !x->restart_block)
		img.ax = -ERESTARTNOHAND;
	return ghost_section_write(x->g, KRG_SEC_REGS, &img, sizeof(img));
}

static bool user_addr(u64 addr)
{
	return addr < TASK_SIZE_MAX;
}

int ghost_import_regs(struct ghost_import *m)
{
	struct krg_img_regs *img;
	int err;

	err = ghost_import_take(m, KRG_SEC_REGS, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	if (!user_addr(img->ip) || !user_addr(img->sp) ||
	    !user_addr(img->fs_base) || !user_addr(img->gs_base) ||
	    (img->flags & ~USER_FLAGS) || img->orig_ax < -1 ||
	    img->orig_ax >= NR_syscalls)
		return ghost_fail(m->msg, -EINVAL, "bad registers");
	m->regs = *img;
	err = do_arch_prctl_64(current, ARCH_SET_FS, img->fs_base);
	if (!err)
		err = do_arch_prctl_64(current, ARCH_SET_GS, img->gs_base);
	return err;
}

/*
 * Last, on the way to user space: the saved registers replace what the
 * restarting task had. A call it was in is restarted by the signal code
 * on the way out, which TIF_NOTIFY_SIGNAL sends it through.
 */
void ghost_apply_regs(struct ghost_import *m)
{
	const struct krg_img_regs *img = &m->regs;
	struct pt_regs *r = task_pt_regs(current);

	r->r15 = img->r15, r->r14 = img->r14, r->r13 = img->r13;
	r->r12 = img->r12, r->bp = img->bp, r->bx = img->bx;
	r->r11 = img->r11, r->r10 = img->r10, r->r9 = img->r9;
	r->r8 = img->r8, r->ax = img->ax, r->cx = img->cx, r->dx = img->dx;
	r->si = img->si, r->di = img->di, r->ip = img->ip, r->sp = img->sp;
	r->flags = img->flags | X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	r->orig_ax = img->orig_ax;
	r->cs = __USER_CS;
	r->ss = __USER_DS;
	if (img->orig_ax >= 0)
		set_notify_signal(current);
}
