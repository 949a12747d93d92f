// SPDX-License-Identifier: GPL-2.0
/*
 * Kerrighed capabilities: the set algebra, inheritance at fork, and
 * reading or changing a task's sets (for the "krg" netlink family).
 *
 * Rules of a change, by the task's owner or CAP_SYS_ADMIN:
 *   - without CAP_SYS_ADMIN, the permitted sets only shrink, and the
 *     effective sets grow only if the task holds CHANGE_KERRIGHED_CAP;
 *   - the effective set stays within the permitted set (--force clips
 *     it); the inheritable effective set need not, since a child's
 *     effective set is the intersection of the two inheritable sets;
 *   - a capability in use by a krg operation cannot leave the effective
 *     set (EBUSY).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/krg_hooks.h>
#include <krg/cap.h>

static void sets_of(const struct krg_cap *c, struct krg_cap_sets *s)
{
	s->effective = c->effective;
	s->permitted = c->permitted;
	s->inheritable_effective = c->inheritable_effective;
	s->inheritable_permitted = c->inheritable_permitted;
}

static void sets_to(struct krg_cap *c, const struct krg_cap_sets *s)
{
	c->effective = s->effective;
	c->permitted = s->permitted;
	c->inheritable_effective = s->inheritable_effective;
	c->inheritable_permitted = s->inheritable_permitted;
}

void krg_cap_inherit(const struct krg_cap_sets *parent,
		     struct krg_cap_sets *child)
{
	child->permitted = parent->inheritable_permitted;
	child->effective = parent->inheritable_effective &
			   parent->inheritable_permitted;
	child->inheritable_permitted = parent->inheritable_permitted;
	child->inheritable_effective = parent->inheritable_effective;
}

static bool grows(u32 old, u32 new)
{
	return new & ~old;
}

/**
 * krg_cap_check_change - may @old become @new?
 * @in_use: capabilities a krg operation relies on now
 * @admin: the caller has CAP_SYS_ADMIN
 * @force: clip effective sets to their permitted sets instead of failing
 *
 * Return: 0 (@new may have been clipped), -EINVAL (unknown capability, or
 * effective beyond permitted), -EPERM, -EBUSY.
 */
int krg_cap_check_change(const struct krg_cap_sets *old,
			 struct krg_cap_sets *new, u32 in_use, bool admin,
			 bool force)
{
	if ((new->effective | new->permitted | new->inheritable_effective |
	     new->inheritable_permitted) & ~KRG_CAP_ALL)
		return -EINVAL;
	if (!admin && (grows(old->permitted, new->permitted) ||
		       grows(old->inheritable_permitted,
			     new->inheritable_permitted)))
		return -EPERM;
	if (!admin && !(old->effective & BIT(KRG_CAP_CHANGE_KERRIGHED_CAP)) &&
	    (grows(old->effective, new->effective) ||
	     grows(old->inheritable_effective, new->inheritable_effective)))
		return -EPERM;
	if (grows(new->permitted, new->effective)) {
		if (!force)
			return -EINVAL;
		new->effective &= new->permitted;
	}
	if (old->effective & ~new->effective & in_use)
		return -EBUSY;
	return 0;
}

void krg_cap_fork(struct task_struct *child)
{
	struct krg_cap_sets parent, sets;
	int i;

	sets_of(&child->krg_cap, &parent);	/* copied from the parent */
	krg_cap_inherit(&parent, &sets);
	sets_to(&child->krg_cap, &sets);
	for (i = 0; i < KRG_CAP_SLOTS; i++)
		atomic_set(&child->krg_cap.in_use[i], 0);
}

static u32 in_use_mask(struct task_struct *t)
{
	u32 mask = 0;
	int i;

	for (i = 0; i < KRG_CAP_NR; i++)
		if (atomic_read(&t->krg_cap.in_use[i]))
			mask |= BIT(i);
	return mask;
}

/* The task of @pid, if the caller owns it or has CAP_SYS_ADMIN. */
static struct task_struct *owned_task(pid_t pid, int *err)
{
	struct task_struct *t = find_get_task_by_vpid(pid);
	bool ok;

	if (!t) {
		*err = -ESRCH;
		return NULL;
	}
	rcu_read_lock();
	ok = uid_eq(current_euid(), __task_cred(t)->uid);
	rcu_read_unlock();
	/* capable() may sleep (audit): never under rcu_read_lock(). */
	ok = ok || capable(CAP_SYS_ADMIN);
	if (!ok) {
		put_task_struct(t);
		*err = -EPERM;
		return NULL;
	}
	return t;
}

int krg_cap_get(pid_t pid, struct krg_cap_sets *sets)
{
	struct task_struct *t;
	int err;

	t = owned_task(pid, &err);
	if (!t)
		return err;
	task_lock(t);
	sets_of(&t->krg_cap, sets);
	task_unlock(t);
	put_task_struct(t);
	return 0;
}

/*
 * Change the sets of @pid named in @which to those of @sets, atomically;
 * on success @sets holds all four sets now.
 */
int krg_cap_set(pid_t pid, struct krg_cap_sets *sets, unsigned int which,
		bool force)
{
	struct krg_cap_sets old, new;
	struct task_struct *t;
	bool admin;
	int err;

	t = owned_task(pid, &err);
	if (!t)
		return err;
	admin = capable(CAP_SYS_ADMIN);	/* may sleep: not under task_lock */
	task_lock(t);
	sets_of(&t->krg_cap, &old);
	new = old;
	if (which & KRG_CAP_SET_EFFECTIVE)
		new.effective = sets->effective;
	if (which & KRG_CAP_SET_PERMITTED)
		new.permitted = sets->permitted;
	if (which & KRG_CAP_SET_INH_EFFECTIVE)
		new.inheritable_effective = sets->inheritable_effective;
	if (which & KRG_CAP_SET_INH_PERMITTED)
		new.inheritable_permitted = sets->inheritable_permitted;
	err = krg_cap_check_change(&old, &new, in_use_mask(t), admin, force);
	if (!err) {
		sets_to(&t->krg_cap, &new);
		*sets = new;
	}
	task_unlock(t);
	put_task_struct(t);
	return err;
}

bool krg_cap_raised(struct task_struct *task, int cap)
{
	return cap >= 0 && cap < KRG_CAP_NR &&
	       (READ_ONCE(task->krg_cap.effective) & BIT(cap));
}
EXPORT_SYMBOL_GPL(krg_cap_raised);

/* Return: 0, or -EPERM if @task does not hold @cap in its effective set. */
int krg_cap_use(struct task_struct *task, int cap)
{
	int err = 0;

	task_lock(task);
	if (krg_cap_raised(task, cap))
		atomic_inc(&task->krg_cap.in_use[cap]);
	else
		err = -EPERM;
	task_unlock(task);
	return err;
}
EXPORT_SYMBOL_GPL(krg_cap_use);

void krg_cap_unuse(struct task_struct *task, int cap)
{
	if (cap >= 0 && cap < KRG_CAP_NR)
		atomic_dec(&task->krg_cap.in_use[cap]);
}
EXPORT_SYMBOL_GPL(krg_cap_unuse);
