/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exporting a task to a ghost and importing it back, one task part at a
 * time. Both run in the task itself (current), at its user boundary: a
 * checkpointed task exports itself from a task work, a restarted one
 * imports itself before it first returns to user space. Migration and
 * distant fork will drive the same parts over a network ghost.
 *
 * Each part lives in its own file and writes, then reads, its sections
 * (<uapi/linux/krg_image.h>) in the order of ghost_parts[] (task.c).
 */
#ifndef _KRG_GHOST_TASK_H
#define _KRG_GHOST_TASK_H

#include <linux/errno.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/krg_image.h>
#include <krg/ghost.h>

struct cred;
struct ghost;
struct ghost_objs;

#define GHOST_MSG_LEN	128

/* Flags of a checkpoint or restart (<uapi/linux/krg_netlink.h>). */
struct ghost_export {
	struct ghost *g;
	struct ghost_objs *objs;	/* shared by the tree's tasks */
	struct ghost_objs *inside;	/* pipes, socket pairs all in it */
	bool thread;			/* not the leader: its own parts only */
	bool shares_files;		/* its parent's fd table: not saved */
	bool restart_block;		/* its call goes on through one */
	unsigned int flags;
	unsigned int substituted;	/* fds replaced by /dev/null */
	char msg[GHOST_MSG_LEN];	/* why it failed, for the caller */
};

struct ghost_import {
	struct ghost *g;
	struct ghost_objs *objs;	/* shared by the tree's tasks */
	pid_t pid;			/* the task the image must be of */
	bool thread;			/* not the leader: its own parts only */
	bool shares_files;		/* its parent's fd table: not restored */
	bool root;			/* of the tree: its parent is not restored */
	bool privileged;		/* the restarting caller's CAP_SYS_ADMIN */
	bool stopped;			/* its process was stopped: stop it */
	bool undumpable;		/* its memory was not dumpable */
	bool eager;			/* load all its memory before it runs */
	struct ghost_lazy *lazy;	/* or leave pages there (ghost/lazy.c) */
	const struct cred *caller;	/* and its credentials */
	const s32 *tree;		/* the PIDs of the tree restored */
	unsigned int ntree;
	/* The header read ahead (have), and the payload taken last. */
	struct ghost_section_hdr hdr;
	bool have;
	void *data;
	u32 len;
	struct krg_img_regs regs;	/* set last, after every task is ready */
	char msg[GHOST_MSG_LEN];
};

struct ghost_part {
	const char *name;
	bool per_thread;	/* each thread's own, else the process's */
	bool fd_table;		/* of the fd table, which CLONE_FILES shares */
	int (*export)(struct ghost_export *x);
	int (*import)(struct ghost_import *m);
};

int ghost_export_task(struct ghost_export *x);
int ghost_import_task(struct ghost_import *m);
void ghost_import_release(struct ghost_import *m);

/* Sections: the next one, if of @type and @min..@max bytes long. */
int ghost_import_take(struct ghost_import *m, u16 type, u32 min, u32 max);
int ghost_import_peek(struct ghost_import *m, u16 *type);
/* An array of at most @max elements of @size bytes: *@n of them. */
int ghost_import_take_array(struct ghost_import *m, u16 type, u32 size,
			    u32 max, u32 *n);
/* Or only its first @head_len bytes: the caller reads the rest itself. */
int ghost_import_take_head(struct ghost_import *m, u16 type, void *head,
			   u32 head_len, u32 max_rest, u32 *rest, u32 *check);

/*
 * A part cut short by a fatal signal fails with the kernel's internal
 * ERESTART* codes; user space is told EINTR, never "Unknown error 512".
 */
static inline int ghost_user_errno(int err)
{
	if (err == -ERESTARTSYS || err == -ERESTARTNOINTR ||
	    err == -ERESTARTNOHAND || err == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return err;
}

/*
 * Log one line naming the task (current), keep it in @msg for the caller
 * unless a reason is there already, return @err. krg_cr_fail() is for
 * what is not about one task.
 */
__printf(3, 4)
int ghost_fail(char *msg, int err, const char *fmt, ...);
__printf(3, 4)
int krg_cr_fail(char *msg, int err, const char *fmt, ...);

/* An absolute path of an image, NUL-terminated (kfree() it), or NULL. */
char *ghost_path_dup(const char *s, u32 len);

/* The parts, in image order. */
int ghost_export_misc(struct ghost_export *x);
int ghost_import_misc(struct ghost_import *m);
int ghost_export_creds(struct ghost_export *x);
int ghost_import_creds(struct ghost_import *m);
ssize_t ghost_creds_save(const struct cred *c, struct krg_img_creds *img);
bool ghost_creds_ids_allowed(const struct cred *c, kuid_t uid, kgid_t gid);
struct cred *ghost_creds_make(const struct krg_img_creds *img);
int ghost_export_fs(struct ghost_export *x);
int ghost_import_fs(struct ghost_import *m);
int ghost_export_limits(struct ghost_export *x);
int ghost_import_limits(struct ghost_import *m);
int ghost_export_sched(struct ghost_export *x);
int ghost_import_sched(struct ghost_import *m);
int ghost_export_seccomp(struct ghost_export *x);
int ghost_import_seccomp(struct ghost_import *m);
int ghost_export_signals(struct ghost_export *x);
int ghost_import_signals(struct ghost_import *m);
int ghost_export_timers(struct ghost_export *x);
int ghost_import_timers(struct ghost_import *m);
int ghost_export_sigpending(struct ghost_export *x);
int ghost_import_sigpending(struct ghost_import *m);
int ghost_export_mm(struct ghost_export *x);
int ghost_import_mm(struct ghost_import *m);
int ghost_export_files(struct ghost_export *x);
int ghost_import_files(struct ghost_import *m);
int ghost_export_locks(struct ghost_export *x);
int ghost_import_locks(struct ghost_import *m);
int ghost_export_syscall(struct ghost_export *x);
int ghost_import_syscall(struct ghost_import *m);
int ghost_export_regs(struct ghost_export *x);	/* arch: registers, TLS */
int ghost_import_regs(struct ghost_import *m);
void ghost_apply_regs(struct ghost_import *m);
int ghost_export_fpu(struct ghost_export *x);	/* arch: FPU, xstate */
int ghost_import_fpu(struct ghost_import *m);

struct mm_struct;
bool ghost_arch_vdso(struct mm_struct *mm, unsigned long *start,
		     unsigned long *end, unsigned long *text);
int ghost_arch_map_vdso(unsigned long text);

#endif /* _KRG_GHOST_TASK_H */
