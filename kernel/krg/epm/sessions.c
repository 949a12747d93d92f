// SPDX-License-Identifier: GPL-2.0
/*
 * The sessions and process groups of a restarted tree.
 *
 * setsid() and setpgid() cannot rebuild every tree: a child may have left
 * its parent's session, its leader may have exited since, and the child
 * may have been reparented to a subreaper in another session. So restart
 * creates every task first, in the caller's session and group, and then
 * puts each process in its own, directly, as those calls would have:
 *
 *   - an id that is a PID of the tree is that task's session or group;
 *   - the root's session and group, where it led neither, stay those of
 *     the caller (a restart asked by another node has none here: the
 *     root then leads a session of its own);
 *   - any other id belonged to a leader that has exited. Linux keeps
 *     such a PID while its session or group lives, with no task, and so
 *     does restart: it allocates the PID again and attaches the members.
 *
 * The image is checked first to hold what Linux allows: a session leader
 * leads its group, the leader an id names leads it, and a group lies in
 * one session. So no process is put in a group or session it could not
 * have been in, and nothing outside the tree is joined but the caller's.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <uapi/linux/krg_image.h>
#include <krg/epm.h>
#include <krg/pid.h>

static int process_index(const struct krg_img_tree_task *t, unsigned int n,
			 pid_t pid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (t[i].pid == pid)
			return t[i].tgid == pid ? i : -2;
	return -1;
}

/* The root's session or group, where it did not lead it: the caller's. */
static bool callers(const struct krg_img_tree_task *t, pid_t id, bool session)
{
	pid_t outer = session ? t[0].sid : t[0].pgid;

	return outer != t[0].pid && id == outer;
}

static bool listed(const s32 *ids, unsigned int n, pid_t id)
{
	while (n--)
		if (ids[n] == id)
			return true;
	return false;
}

/* @id, a session (or group) of task @i: led by a task of the tree, or gone. */
static int check_id(const struct krg_img_tree_task *t, unsigned int n,
		    unsigned int i, pid_t id, bool session, s32 *gone,
		    unsigned int *ngone, char *msg)
{
	int l;

	if (callers(t, id, session))
		return 0;
	l = process_index(t, n, id);
	if (l == -2 || (l >= 0 && (session ? t[l].sid : t[l].pgid) != id))
		return krg_cr_fail(msg, -EINVAL,
				   "task %d is in %s %d, which %d does not lead",
				   t[i].pid, session ? "session" : "group", id, id);
	if (l >= 0 || listed(gone, *ngone, id))
		return 0;
	if (!krg_pid_valid(id))
		return krg_cr_fail(msg, -EINVAL, "task %d is in %s %d",
				   t[i].pid, session ? "session" : "group", id);
	gone[(*ngone)++] = id;
	return 0;
}

/**
 * krg_tree_ids_check - the sessions and groups of @t hold together
 * @gone: filled with the ids whose leader has exited (at most 2 * @n)
 */
int krg_tree_ids_check(const struct krg_img_tree_task *t, unsigned int n,
		       s32 *gone, unsigned int *ngone, char *msg)
{
	unsigned int i, j;
	int err;

	*ngone = 0;
	for (i = 0; i < n; i++) {
		if (t[i].tgid != t[i].pid)
			continue;	/* a thread is in its process's */
		if (t[i].sid == t[i].pid && t[i].pgid != t[i].pid)
			return krg_cr_fail(msg, -EINVAL,
					   "task %d leads session %d but not its group",
					   t[i].pid, t[i].sid);
		for (j = 0; j < i; j++)
			if (t[j].pgid == t[i].pgid && t[j].sid != t[i].sid)
				return krg_cr_fail(msg, -EINVAL,
						   "group %d is in two sessions",
						   t[i].pgid);
		err = check_id(t, n, i, t[i].sid, true, gone, ngone, msg);
		if (!err)
			err = check_id(t, n, i, t[i].pgid, false, gone, ngone,
				       msg);
		if (err)
			return err;
	}
	return 0;
}

/* The PIDs of leaders that exited, again, as restart chooses PIDs. */
static int make_gone(struct pid_namespace *ns, const s32 *gone,
		     unsigned int ngone, struct pid **made, char *msg)
{
	const struct cred *old;
	struct cred *boost;
	unsigned int k;
	pid_t nr;
	int err = 0;

	boost = prepare_creds();
	if (!boost)
		return -ENOMEM;
	cap_raise(boost->cap_effective, CAP_CHECKPOINT_RESTORE);
	old = override_creds(boost);
	for (k = 0; k < ngone && !err; k++) {
		nr = gone[k];
		made[k] = alloc_pid(ns, &nr, 1);
		if (IS_ERR(made[k])) {
			err = PTR_ERR(made[k]);
			made[k] = NULL;
			if (err == -EEXIST)
				err = -EBUSY;
			krg_cr_fail(msg, err, "cannot make session or group %d%s",
				    gone[k], err == -EBUSY ? ": in use" : "");
		}
	}
	revert_creds(old);
	put_cred(boost);
	return err;
}

/* As setsid() does: a new session has no controlling terminal yet. */
static void enter_session(struct task_struct *p, struct pid *sid)
{
	struct tty_struct *tty;

	change_pid(p, PIDTYPE_SID, sid);
	p->signal->leader = sid == task_pid(p);
	spin_lock(&p->sighand->siglock);
	tty = p->signal->tty;
	p->signal->tty = NULL;
	spin_unlock(&p->sighand->siglock);
	tty_kref_put(tty);
}

static struct pid *id_pid(const struct krg_img_tree_task *t, pid_t id,
			  bool session, struct pid *outer_sid,
			  struct pid *outer_pgid, struct pid_namespace *ns)
{
	if (callers(t, id, session))
		return session ? outer_sid : outer_pgid;
	return find_pid_ns(id, ns);
}

/* Under tasklist_lock and RCU: each process of @t in its session, group. */
static int place(struct pid_namespace *ns, const struct krg_img_tree_task *t,
		 unsigned int n, char *msg)
{
	struct pid *outer_sid, *outer_pgid, *s, *g;
	struct task_struct *p;
	unsigned int i;

	p = find_task_by_pid_ns(t[0].pid, ns);
	if (!p)
		return krg_cr_fail(msg, -ESRCH, "task %d died", t[0].pid);
	outer_sid = task_session(p);
	outer_pgid = task_pgrp(p);
	if (!pid_nr_ns(outer_sid, ns))	/* asked by another node */
		outer_sid = outer_pgid = task_pid(p);
	for (i = 0; i < n; i++) {
		if (t[i].tgid != t[i].pid)
			continue;
		p = find_task_by_pid_ns(t[i].pid, ns);
		if (!p)
			return krg_cr_fail(msg, -ESRCH, "task %d died",
					   t[i].pid);
		s = id_pid(t, t[i].sid, true, outer_sid, outer_pgid, ns);
		g = id_pid(t, t[i].pgid, false, outer_sid, outer_pgid, ns);
		if (!s || !g)
			return krg_cr_fail(msg, -ESRCH,
					   "session %d or group %d is gone",
					   t[i].sid, t[i].pgid);
		if (task_session(p) != s)
			enter_session(p, s);
		if (task_pgrp(p) != g)
			change_pid(p, PIDTYPE_PGID, g);
	}
	return 0;
}

/**
 * krg_tree_ids_set - put every process of @t, all created, in its session
 * and group; @gone as krg_tree_ids_check() found them
 */
int krg_tree_ids_set(struct pid_namespace *ns,
		     const struct krg_img_tree_task *t, unsigned int n,
		     const s32 *gone, unsigned int ngone, char *msg)
{
	struct pid **made;
	unsigned int k;
	int err;

	made = kcalloc(ngone ?: 1, sizeof(*made), GFP_KERNEL);
	if (!made)
		return -ENOMEM;
	err = make_gone(ns, gone, ngone, made, msg);
	write_lock_irq(&tasklist_lock);
	rcu_read_lock();	/* as find_task_by_pid_ns() asks */
	if (!err)
		err = place(ns, t, n, msg);
	rcu_read_unlock();
	/* A PID made for nothing (on failure): no task holds it. */
	for (k = 0; k < ngone; k++)
		if (made[k] && !pid_has_task(made[k], PIDTYPE_PGID) &&
		    !pid_has_task(made[k], PIDTYPE_SID))
			free_pid(made[k]);
	write_unlock_irq(&tasklist_lock);
	kfree(made);
	return err;
}
