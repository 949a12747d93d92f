/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kerrighed capabilities: four sets per task.
 *
 *   permitted              the bound of the effective set
 *   effective              what krg lets it do now
 *   inheritable-permitted  becomes the child's permitted at fork
 *   inheritable-effective  with inheritable-permitted, the child's effective
 *
 * At fork: child permitted = parent inheritable-permitted; child effective
 * = parent inheritable-effective & inheritable-permitted; the inheritable
 * sets are copied.
 */
#ifndef _KRG_CAP_H
#define _KRG_CAP_H

#include <linux/sched.h>
#include <uapi/linux/krg_cap.h>

struct krg_cap_sets {
	u32 effective;
	u32 permitted;
	u32 inheritable_effective;
	u32 inheritable_permitted;
};

void krg_cap_inherit(const struct krg_cap_sets *parent,
		     struct krg_cap_sets *child);
int krg_cap_check_change(const struct krg_cap_sets *old,
			 struct krg_cap_sets *new, u32 in_use, bool admin,
			 bool force);

/* Which sets a change gives (the others stay). */
enum {
	KRG_CAP_SET_EFFECTIVE = 1,
	KRG_CAP_SET_PERMITTED = 2,
	KRG_CAP_SET_INH_EFFECTIVE = 4,
	KRG_CAP_SET_INH_PERMITTED = 8,
};

int krg_cap_get(pid_t pid, struct krg_cap_sets *sets);
int krg_cap_set(pid_t pid, struct krg_cap_sets *sets, unsigned int which,
		bool force);

/* For krg operations: hold @cap of @task in use while relying on it. */
bool krg_cap_raised(struct task_struct *task, int cap);
int krg_cap_use(struct task_struct *task, int cap);
void krg_cap_unuse(struct task_struct *task, int cap);

#endif /* _KRG_CAP_H */
