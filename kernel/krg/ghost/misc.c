// SPDX-License-Identifier: GPL-2.0
/*
 * The task part of a ghost: identity and small per-thread state (comm,
 * personality, set_tid_address, robust futex list, sigaltstack, signal
 * mask, krg capabilities, rseq registration, parent-death signal), and of
 * its process: whether it was stopped (SIGSTOP, ^Z: it restarts stopped),
 * its OOM score adjustment and whether it is a child subreaper.
 */
#include <linux/capability.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/futex.h>
#include <linux/personality.h>
#include <linux/rseq.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <krg/cap.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>
#include <krg/ha.h>
#include <krg/pid.h>

int ghost_export_misc(struct ghost_export *x)
{
	struct task_struct *t = current;
	struct krg_img_task img = {
		.pid = task_pid_nr_ns(t, krg_pid_ns()),
		.personality = t->personality,
		.clear_child_tid = (unsigned long)t->clear_child_tid,
		.robust_list = (unsigned long)t->robust_list,
		.robust_list_len = t->robust_list ?
			sizeof(struct robust_list_head) : 0,
		.sas_ss_sp = t->sas_ss_sp,
		.sas_ss_size = t->sas_ss_size,
		.sas_ss_flags = t->sas_ss_flags,
		.krg_cap = { t->krg_cap.effective, t->krg_cap.permitted,
			     t->krg_cap.inheritable_effective,
			     t->krg_cap.inheritable_permitted },
		.blocked = t->blocked.sig[0],
		/* Woken out of its group stop to save itself, if so. */
		.flags = t->signal->flags & SIGNAL_STOP_STOPPED ?
			 KRG_IMG_TASK_STOPPED : 0,
		.pdeath_signal = t->pdeath_signal,
		.oom_score_adj = READ_ONCE(t->signal->oom_score_adj),
		.proc_flags = (t->signal->is_child_subreaper ?
			       KRG_IMG_PROC_CHILD_SUBREAPER : 0) |
			      (t->signal->has_child_subreaper ?
			       KRG_IMG_PROC_HAS_SUBREAPER : 0),
		.ha_app = READ_ONCE(t->krg_ha_app),
	};

	if (t->mm && get_dumpable(t->mm) != SUID_DUMP_USER)
		img.flags |= KRG_IMG_TASK_UNDUMPABLE;
	if (test_restore_sigmask()) {
		img.flags |= KRG_IMG_TASK_RESTORE_SIGMASK;
		img.saved_blocked = t->saved_sigmask.sig[0];
	}
#ifdef CONFIG_RSEQ
	img.rseq = (unsigned long)t->rseq;
	img.rseq_len = t->rseq_len;
	img.rseq_sig = t->rseq_sig;
#endif

	get_task_comm(img.comm, t);
	return ghost_section_write(x->g, KRG_SEC_TASK, &img, sizeof(img));
}

static bool user_range(u64 addr, u64 len)
{
	return addr < TASK_SIZE && len <= TASK_SIZE - addr;
}

/* What rseq() would accept: 32 bytes at least, aligned on 32. */
static bool bad_rseq(const struct krg_img_task *img)
{
	if (!img->rseq)
		return img->rseq_len || img->rseq_sig;
	return !user_range(img->rseq, img->rseq_len) || img->rseq_len < 32 ||
	       img->rseq_len > PAGE_SIZE || !IS_ALIGNED(img->rseq, 32);
}

/*
 * The rseq area, or none: the task may have inherited its creator's. The
 * kernel fills it in before the task next returns to user space, and
 * aborts a critical section the checkpoint interrupted.
 */
static void set_rseq(struct task_struct *t, const struct krg_img_task *img)
{
#ifdef CONFIG_RSEQ
	t->rseq = (struct rseq __user *)(unsigned long)img->rseq;
	t->rseq_len = img->rseq_len;
	t->rseq_sig = img->rseq_sig;
	if (t->rseq)
		rseq_set_notify_resume(t);
#endif
}

/*
 * Of the process: its OOM score adjustment, lowered below what the
 * restored process may set only with CAP_SYS_RESOURCE (as through
 * /proc/PID/oom_score_adj), and its subreaper flags (no privilege).
 */
static int set_process(struct task_struct *t, const struct krg_img_task *img)
{
	struct signal_struct *sig = t->signal;

	if (img->oom_score_adj < READ_ONCE(sig->oom_score_adj_min) &&
	    !capable(CAP_SYS_RESOURCE))
		return -EACCES;
	WRITE_ONCE(sig->oom_score_adj, img->oom_score_adj);
	sig->is_child_subreaper =
		!!(img->proc_flags & KRG_IMG_PROC_CHILD_SUBREAPER);
	sig->has_child_subreaper =
		!!(img->proc_flags & KRG_IMG_PROC_HAS_SUBREAPER);
	return 0;
}

int ghost_import_misc(struct ghost_import *m)
{
	struct task_struct *t = current;
	struct krg_img_task *img;
	struct krg_cap *cap = &t->krg_cap;
	char comm[KRG_IMG_COMM_LEN];
	sigset_t blocked;
	int err;

	err = ghost_import_take(m, KRG_SEC_TASK, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	if (img->pid != m->pid)
		return ghost_fail(m->msg, -EINVAL, "image is of pid %d",
				  img->pid);
	if (!user_range(img->clear_child_tid, sizeof(u32)) ||
	    !user_range(img->robust_list, img->robust_list_len) ||
	    (img->robust_list &&
	     img->robust_list_len != sizeof(struct robust_list_head)) ||
	    !user_range(img->sas_ss_sp, img->sas_ss_size) ||
	    (img->sas_ss_flags & ~(SS_DISABLE | SS_FLAG_BITS)) ||
	    (img->personality & ~(PER_MASK | ~0xffU)) != 0 ||
	    personality(img->personality) != PER_LINUX ||
	    (img->krg_cap[0] | img->krg_cap[1] | img->krg_cap[2] |
	     img->krg_cap[3]) & ~KRG_CAP_ALL || bad_rseq(img) ||
	    (img->flags & ~(KRG_IMG_TASK_STOPPED |
			    KRG_IMG_TASK_RESTORE_SIGMASK |
			    KRG_IMG_TASK_UNDUMPABLE)) ||
	    img->pdeath_signal < 0 || !valid_signal(img->pdeath_signal) ||
	    img->oom_score_adj < OOM_SCORE_ADJ_MIN ||
	    img->oom_score_adj > OOM_SCORE_ADJ_MAX ||
	    (img->proc_flags & ~(KRG_IMG_PROC_CHILD_SUBREAPER |
				 KRG_IMG_PROC_HAS_SUBREAPER)))
		return ghost_fail(m->msg, -EINVAL, "bad task state");
	if (!m->thread) {
		err = set_process(t, img);
		if (err)
			return ghost_fail(m->msg, err,
					  "cannot set its OOM score adjustment %d",
					  img->oom_score_adj);
	}
	/*
	 * The root's parent is not the one it had (restart's, then a
	 * reaper's): a signal at its death would be news of another process.
	 */
	if (!m->root)
		t->pdeath_signal = img->pdeath_signal;
	/*
	 * Still protected only while its application is attached, and, for
	 * a caller without CAP_SYS_ADMIN, only if the application is its
	 * own; this node counts itself in first (before the task runs).
	 */
	t->krg_ha_app = img->ha_app &&
			!krg_ha_task_arrives(img->ha_app, m->privileged ?
					     NULL : m->caller) ?
			img->ha_app : 0;

	t->personality = img->personality;
	t->clear_child_tid = (int __user *)(unsigned long)img->clear_child_tid;
	t->robust_list =
		(struct robust_list_head __user *)(unsigned long)img->robust_list;
	t->sas_ss_sp = img->sas_ss_sp;
	t->sas_ss_size = img->sas_ss_size;
	t->sas_ss_flags = img->sas_ss_flags;
	memcpy(comm, img->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = '\0';
	set_task_comm(t, comm);
	set_rseq(t, img);

	/* Without CAP_SYS_ADMIN, krg capabilities only shrink. */
	task_lock(t);
	if (m->privileged) {
		cap->permitted = img->krg_cap[1];
		cap->inheritable_permitted = img->krg_cap[3];
	} else {
		cap->permitted &= img->krg_cap[1];
		cap->inheritable_permitted &= img->krg_cap[3];
	}
	cap->effective = img->krg_cap[0] & cap->permitted;
	cap->inheritable_effective = img->krg_cap[2];
	task_unlock(t);

	blocked.sig[0] = img->blocked;
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);
	if (img->flags & KRG_IMG_TASK_RESTORE_SIGMASK) {
		t->saved_sigmask.sig[0] = img->saved_blocked &
			~(sigmask(SIGKILL) | sigmask(SIGSTOP));
		set_restore_sigmask();
	}
	m->stopped = img->flags & KRG_IMG_TASK_STOPPED;
	m->undumpable = img->flags & KRG_IMG_TASK_UNDUMPABLE;
	return 0;
}
