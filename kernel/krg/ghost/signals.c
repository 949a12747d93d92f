// SPDX-License-Identifier: GPL-2.0
/*
 * The signals part of a ghost: every action, shared by the threads (the
 * mask of each thread is in its task part).
 */
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static_assert(_NSIG == KRG_IMG_NSIG);

int ghost_export_signals(struct ghost_export *x)
{
	struct krg_img_signals *img;
	int sig, err;

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	spin_lock_irq(&current->sighand->siglock);
	for (sig = 1; sig <= _NSIG; sig++) {
		const struct sigaction *sa = &current->sighand->action[sig - 1].sa;

		img->action[sig - 1] = (struct krg_img_sigaction) {
			.handler = (unsigned long)sa->sa_handler,
			.flags = sa->sa_flags,
			.restorer = (unsigned long)sa->sa_restorer,
			.mask = sa->sa_mask.sig[0],
		};
	}
	spin_unlock_irq(&current->sighand->siglock);
	err = ghost_section_write(x->g, KRG_SEC_SIGNALS, img, sizeof(*img));
	kfree(img);
	return err;
}

int ghost_import_signals(struct ghost_import *m)
{
	const struct krg_img_signals *img;
	struct k_sigaction ka;
	int sig, err;

	err = ghost_import_take(m, KRG_SEC_SIGNALS, sizeof(*img), sizeof(*img));
	if (err)
		return err;
	img = m->data;
	for (sig = 1; sig <= _NSIG; sig++) {
		const struct krg_img_sigaction *a = &img->action[sig - 1];

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		memset(&ka, 0, sizeof(ka));
		ka.sa.sa_handler = (__sighandler_t)(unsigned long)a->handler;
		ka.sa.sa_flags = a->flags;
		ka.sa.sa_restorer = (__sigrestore_t)(unsigned long)a->restorer;
		ka.sa.sa_mask.sig[0] = a->mask;
		err = do_sigaction(sig, &ka, NULL);
		if (err)
			return ghost_fail(m->msg, err, "bad action of signal %d",
					  sig);
	}
	/*
	 * No sigaction() sets these: they are what the task was made with. A
	 * child of a kernel thread (restart on another node) would keep its
	 * parent's SIG_IGN, and not die of SIGKILL.
	 */
	spin_lock_irq(&current->sighand->siglock);
	current->sighand->action[SIGKILL - 1].sa.sa_handler = SIG_DFL;
	current->sighand->action[SIGSTOP - 1].sa.sa_handler = SIG_DFL;
	spin_unlock_irq(&current->sighand->siglock);
	return 0;
}
