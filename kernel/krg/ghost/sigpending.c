// SPDX-License-Identifier: GPL-2.0
/*
 * The pending-signals part of a ghost: the signals queued to the thread,
 * and for the leader those queued to the whole process, each with its
 * siginfo. A pending bit without a queue entry (the queue was full) comes
 * back as a signal sent by the kernel.
 */
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

#define MAX_PENDING	1024

static_assert(sizeof(kernel_siginfo_t) == sizeof_field(struct krg_img_sigpending, info));

static int collect(struct sigpending *p, bool shared,
		   struct krg_img_sigpending *out, int n)
{
	struct sigqueue *q;
	sigset_t queued;
	int sig;

	sigemptyset(&queued);
	list_for_each_entry(q, &p->list, list) {
		if (n == MAX_PENDING)
			return -E2BIG;
		out[n].sig = q->info.si_signo;
		out[n].shared = shared;
		memcpy(out[n].info, &q->info, sizeof(out[n].info));
		sigaddset(&queued, q->info.si_signo);
		n++;
	}
	for (sig = 1; sig <= _NSIG; sig++) {
		kernel_siginfo_t info;

		if (!sigismember(&p->signal, sig) || sigismember(&queued, sig))
			continue;
		if (n == MAX_PENDING)
			return -E2BIG;
		clear_siginfo(&info);
		info.si_signo = sig;
		info.si_code = SI_KERNEL;
		out[n].sig = sig;
		out[n].shared = shared;
		memcpy(out[n].info, &info, sizeof(out[n].info));
		n++;
	}
	return n;
}

int ghost_export_sigpending(struct ghost_export *x)
{
	struct krg_img_sigpending *out;
	int n, err;

	out = kvcalloc(MAX_PENDING, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	spin_lock_irq(&current->sighand->siglock);
	n = collect(&current->pending, false, out, 0);
	if (n >= 0 && !x->thread)
		n = collect(&current->signal->shared_pending, true, out, n);
	spin_unlock_irq(&current->sighand->siglock);
	err = n < 0 ? ghost_fail(x->msg, -EBUSY, "more than %d signals pending",
				 MAX_PENDING) :
	      ghost_section_write(x->g, KRG_SEC_SIGPENDING, out,
				  n * sizeof(*out));
	kvfree(out);
	return err;
}

int ghost_import_sigpending(struct ghost_import *m)
{
	const struct krg_img_sigpending *p;
	kernel_siginfo_t info;
	u32 i, n;
	int err;

	err = ghost_import_take_array(m, KRG_SEC_SIGPENDING, sizeof(*p),
				      MAX_PENDING, &n);
	if (err)
		return err;
	p = m->data;
	for (i = 0; i < n; i++) {
		memcpy(&info, p[i].info, sizeof(info));
		if (!valid_signal(p[i].sig) || !p[i].sig ||
		    info.si_signo != p[i].sig || p[i].shared > 1 ||
		    (p[i].shared && m->thread))
			return ghost_fail(m->msg, -EINVAL, "bad pending signal %u",
					  p[i].sig);
		/* Without CAP_SYS_ADMIN, nothing claims to come from the kernel. */
		if (!m->privileged && info.si_code >= 0 && info.si_code != SI_USER)
			info.si_code = SI_QUEUE;
		err = do_send_sig_info(p[i].sig, &info, current,
				       p[i].shared ? PIDTYPE_TGID : PIDTYPE_PID);
		if (err)
			return ghost_fail(m->msg, err, "cannot queue signal %u",
					  p[i].sig);
	}
	return 0;
}
