// SPDX-License-Identifier: GPL-2.0
/*
 * The credentials part of a ghost. A restart by CAP_SYS_ADMIN takes the
 * image's credentials as they are; any other caller only gets back ids,
 * groups and capabilities it holds itself, so a crafted image gains
 * nothing.
 */
#include <linux/cred.h>
#include <linux/sched/user.h>
#include <linux/securebits.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <krg/ghost.h>
#include <krg/ghost_task.h>

static u32 uid_of(kuid_t uid)
{
	return from_kuid_munged(&init_user_ns, uid);
}

static u32 gid_of(kgid_t gid)
{
	return from_kgid_munged(&init_user_ns, gid);
}

/**
 * ghost_creds_save - @c as a CREDS payload (also sent by a remote restart)
 * @img: room for KRG_IMG_MAX_GROUPS groups
 *
 * Return: its length, or -E2BIG for more groups than that.
 */
ssize_t ghost_creds_save(const struct cred *c, struct krg_img_creds *img)
{
	struct group_info *gi = c->group_info;
	int i;

	if (gi->ngroups > KRG_IMG_MAX_GROUPS)
		return -E2BIG;
	*img = (struct krg_img_creds) {
		.uid = uid_of(c->uid), .euid = uid_of(c->euid),
		.suid = uid_of(c->suid), .fsuid = uid_of(c->fsuid),
		.gid = gid_of(c->gid), .egid = gid_of(c->egid),
		.sgid = gid_of(c->sgid), .fsgid = gid_of(c->fsgid),
		.cap_inheritable = c->cap_inheritable.val,
		.cap_permitted = c->cap_permitted.val,
		.cap_effective = c->cap_effective.val,
		.cap_bset = c->cap_bset.val,
		.cap_ambient = c->cap_ambient.val,
		.securebits = c->securebits,
		.ngroups = gi->ngroups,
	};
	for (i = 0; i < gi->ngroups; i++)
		img->groups[i] = gid_of(gi->gid[i]);
	return struct_size(img, groups, gi->ngroups);
}

int ghost_export_creds(struct ghost_export *x)
{
	struct krg_img_creds *img;
	ssize_t len;
	int err;

	img = kzalloc(struct_size(img, groups, KRG_IMG_MAX_GROUPS), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	len = ghost_creds_save(current_cred(), img);
	err = len < 0 ? ghost_fail(x->msg, -EBUSY, "more than %d groups",
				   KRG_IMG_MAX_GROUPS) :
	      ghost_section_write(x->g, KRG_SEC_CREDS, img, len);
	kfree(img);
	return err;
}

/* May a caller with credentials @c become @uid? As setresuid() allows. */
static bool uid_allowed(const struct cred *c, kuid_t uid)
{
	return uid_eq(uid, c->uid) || uid_eq(uid, c->euid) ||
	       uid_eq(uid, c->suid);
}

static bool gid_allowed(const struct cred *c, kgid_t gid)
{
	return gid_eq(gid, c->gid) || gid_eq(gid, c->egid) ||
	       gid_eq(gid, c->sgid) || groups_search(c->group_info, gid);
}

/* May a caller with credentials @c claim @uid and @gid as a process's? */
bool ghost_creds_ids_allowed(const struct cred *c, kuid_t uid, kgid_t gid)
{
	return uid_allowed(c, uid) && gid_allowed(c, gid);
}

/*
 * As capset() and prctl() allow: inheritable within permitted and
 * inheritable, ambient within what the caller has or could raise (none
 * if SECBIT_NO_CAP_AMBIENT_RAISE), the same securebits.
 */
static bool caps_allowed(const struct cred *c, const struct cred *n)
{
	kernel_cap_t all = cap_combine(c->cap_permitted, c->cap_inheritable);
	kernel_cap_t ambient = c->cap_ambient;

	if (!(c->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
		ambient = cap_combine(ambient, cap_intersect(c->cap_permitted,
							     c->cap_inheritable));
	return cap_issubset(n->cap_permitted, c->cap_permitted) &&
	       cap_issubset(n->cap_inheritable, all) &&
	       cap_issubset(n->cap_bset, c->cap_bset) &&
	       cap_issubset(n->cap_ambient, ambient) &&
	       n->securebits == c->securebits;
}

static int fill(struct cred *n, const struct krg_img_creds *img,
		struct group_info *gi)
{
	kuid_t u[4];
	kgid_t g[4];
	int i;

	for (i = 0; i < 4; i++) {
		u[i] = make_kuid(&init_user_ns, (&img->uid)[i]);
		g[i] = make_kgid(&init_user_ns, (&img->gid)[i]);
		if (!uid_valid(u[i]) || !gid_valid(g[i]))
			return -EINVAL;
	}
	for (i = 0; i < gi->ngroups; i++) {
		gi->gid[i] = make_kgid(&init_user_ns, img->groups[i]);
		if (!gid_valid(gi->gid[i]))
			return -EINVAL;
	}
	groups_sort(gi);
	n->uid = u[0], n->euid = u[1], n->suid = u[2], n->fsuid = u[3];
	n->gid = g[0], n->egid = g[1], n->sgid = g[2], n->fsgid = g[3];
	n->cap_inheritable.val = img->cap_inheritable & CAP_VALID_MASK;
	n->cap_permitted.val = img->cap_permitted & CAP_VALID_MASK;
	n->cap_effective.val = img->cap_effective & CAP_VALID_MASK;
	n->cap_bset.val = img->cap_bset & CAP_VALID_MASK;
	n->cap_ambient.val = img->cap_ambient & CAP_VALID_MASK;
	n->securebits = img->securebits;
	/* What the kernel keeps true of any credentials. */
	if (!cap_issubset(n->cap_effective, n->cap_permitted) ||
	    !cap_issubset(n->cap_ambient, cap_intersect(n->cap_permitted,
							n->cap_inheritable)) ||
	    (n->securebits & ~SECURE_ALL_BITS & ~SECURE_ALL_LOCKS))
		return -EINVAL;
	set_groups(n, gi);
	return 0;
}

static bool allowed(const struct cred *c, const struct cred *n)
{
	int i;

	if (!uid_allowed(c, n->uid) || !uid_allowed(c, n->euid) ||
	    !uid_allowed(c, n->suid) || !uid_allowed(c, n->fsuid) ||
	    !gid_allowed(c, n->gid) || !gid_allowed(c, n->egid) ||
	    !gid_allowed(c, n->sgid) || !gid_allowed(c, n->fsgid) ||
	    !caps_allowed(c, n))
		return false;
	for (i = 0; i < n->group_info->ngroups; i++)
		if (!groups_search(c->group_info, n->group_info->gid[i]))
			return false;
	return true;
}

/* Its user's limits and counts (RLIMIT_NPROC...), as setuid() does. */
static int charge_user(struct cred *n)
{
	struct user_struct *u;

	if (uid_eq(n->uid, n->user->uid))
		return 0;
	u = alloc_uid(n->uid);
	if (!u)
		return -ENOMEM;
	free_uid(n->user);
	n->user = u;
	return set_cred_ucounts(n);
}

/**
 * ghost_creds_make - new credentials from @img, whose length is checked
 *
 * Return: them, or ERR_PTR(-EINVAL) for ids or capabilities no kernel
 * gives, or ERR_PTR(-ENOMEM).
 */
struct cred *ghost_creds_make(const struct krg_img_creds *img)
{
	struct group_info *gi;
	struct cred *n;
	int err;

	gi = groups_alloc(img->ngroups);
	if (!gi)
		return ERR_PTR(-ENOMEM);
	n = prepare_creds();
	if (!n) {
		put_group_info(gi);
		return ERR_PTR(-ENOMEM);
	}
	err = fill(n, img, gi);
	put_group_info(gi);
	if (!err)
		err = charge_user(n);
	if (err) {
		abort_creds(n);
		return ERR_PTR(err);
	}
	return n;
}

int ghost_import_creds(struct ghost_import *m)
{
	const struct krg_img_creds *img;
	struct cred *n;
	int err;

	err = ghost_import_take(m, KRG_SEC_CREDS, sizeof(*img),
				struct_size(img, groups, KRG_IMG_MAX_GROUPS));
	if (err)
		return err;
	img = m->data;
	if (m->len != struct_size(img, groups, img->ngroups))
		return ghost_fail(m->msg, -EINVAL, "bad credentials section");
	n = ghost_creds_make(img);
	if (IS_ERR(n))
		return ghost_fail(m->msg, PTR_ERR(n), "bad credentials");
	if (!m->privileged && !allowed(m->caller, n)) {
		abort_creds(n);
		return ghost_fail(m->msg, -EPERM,
				  "image credentials (uid %u) are not the caller's",
				  img->uid);
	}
	return commit_creds(n);
}
