/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint and restart of process trees (kernel/krg/epm), the first
 * users of ghosts. See Documentation/checkpoint.md.
 */
#ifndef _KRG_EPM_H
#define _KRG_EPM_H

#include <linux/list.h>
#include <linux/types.h>
#include <krg/ghost_task.h>

struct file;

/* epm's RPC message types: wire ABI, from its range (krg/rpc.h). */
enum krg_rpc_epm_type {
	KRG_RPC_RESTART = 16,	/* restart an image here (epm/remote.c) */
	KRG_RPC_PIDS_ALIVE,	/* is one of these PIDs alive here (epm/elsewhere.c) */
	KRG_RPC_MIGRATE,	/* an image to stage and run here (migrate_in.c) */
	KRG_RPC_SHADOW,		/* a migrated process was reaped (shadow.c) */
	KRG_RPC_MIGRATE_ASK,	/* migrate a process that runs here (migrate_ask.c) */
};

/* Not from user space: a checkpoint that hands the tree off (migration). */
#define KRG_CR_MIGRATE		(1U << 30)
/* A migration asked by another node: not forwarded again. */
#define KRG_CR_ASKED		(1U << 29)

struct krg_cr_result {
	pid_t pid;			/* the root */
	unsigned int tasks;		/* processes and threads */
	unsigned int processes;
	unsigned int substituted;	/* fds replaced by /dev/null */
	u64 frozen_ns;			/* from the freeze to the verdict */
	u64 bytes;			/* migration: the image sent */
	char msg[GHOST_MSG_LEN];	/* why it failed */
};

int krg_checkpoint(pid_t pid, struct file *dir, unsigned int flags,
		   struct krg_cr_result *res);

/*
 * Migration's hand-off: called with the tree frozen and its image in the
 * directory; 0 if another node runs the tree now. @shadow, set by go():
 * the root stays here as the shadow of the process.
 */
struct krg_handoff {
	int (*go)(struct krg_handoff *h, const struct krg_img_tree_task *tree,
		  unsigned int n, char *msg);
	bool shadow;
};
int krg_checkpoint_handoff(pid_t pid, struct file *dir, unsigned int flags,
			   struct krg_cr_result *res, struct krg_handoff *h);

/* Migration (epm/migrate.c, migrate_in.c). */
int krg_migrate(pid_t pid, int node, unsigned int flags,
		struct krg_cr_result *res);
int krg_migrate_in_init(void);
struct task_struct;
const char *krg_migrate_confinement(struct task_struct *t);
int krg_migrate_ask(int runner, pid_t pid, int node, unsigned int flags,
		    struct krg_cr_result *res);
int krg_migrate_ask_init(void);
extern atomic_t krg_migrations_in, krg_shadows;

/* The shadow of a migrated process, where its parent is (epm/shadow.c). */
int krg_shadow_prepare(pid_t pid);
void krg_shadow_cancel(pid_t pid);
void __noreturn krg_shadow_run(void);
/* On the node that runs it: whom to tell when it is reaped. */
int krg_shadow_relay_add(pid_t pid, int node);
void krg_shadow_relay_arm(pid_t pid, bool run);
int krg_shadow_relay_take(pid_t pid);
int krg_shadow_relay_node(pid_t pid);
void krg_shadow_released(struct task_struct *t);
int krg_shadow_init(void);
/* A node leaving refuses, or kills, the processes it runs. */
int krg_leaving_init(void);
int krg_restart(struct file *dir, unsigned int flags,
		struct krg_cr_result *res);
/* On another node (epm/remote.c). */
int krg_restart_remote(int node, const char *path, unsigned int flags,
		       struct krg_cr_result *res);
int krg_remote_restart_init(void);
/* Restart's check that no PID of the image runs on another node. */
int krg_pids_alive_elsewhere(const s32 *pids, unsigned int n, char *msg);
/* A restart's PIDs, claimed from before its tree exists until it runs. */
struct krg_restart_claim {
	struct list_head list;
	const s32 *pids;
	unsigned int n;
	int rival;	/* the lowest node that asked about one of them */
};
void krg_restart_claim(struct krg_restart_claim *c, const s32 *pids,
		       unsigned int n);
int krg_restart_settle(struct krg_restart_claim *c, bool run);
void krg_restart_unclaim(struct krg_restart_claim *c);
bool krg_pids_alive_here(const s32 *pids, unsigned int n);
int krg_pids_alive_init(void);

/*
 * May a caller without CAP_CHECKPOINT_RESTORE restart (and so choose
 * PIDs)? /sys/kernel/krg/unprivileged_restart, off by default.
 */
extern bool krg_unprivileged_restart;

/* The tree file of an image (epm/image.c). */
int krg_image_write_tree(struct file *f, const struct krg_img_tree_task *t,
			 unsigned int n);
int krg_image_read_tree(struct file *f, struct krg_img_tree_task **t,
			unsigned int *n, char *msg);

/* The sessions and groups of a restarted tree (epm/sessions.c). */
struct pid_namespace;
int krg_tree_ids_check(const struct krg_img_tree_task *t, unsigned int n,
		       s32 *gone, unsigned int *ngone, char *msg);
int krg_tree_ids_set(struct pid_namespace *ns,
		     const struct krg_img_tree_task *t, unsigned int n,
		     const s32 *gone, unsigned int ngone, char *msg);

/* Its files, written aside and put in place together (epm/image_dir.c). */
#define KRG_IMAGE_NAME_MAX	32
struct file *krg_image_create(struct file *dir, const char *name);
struct file *krg_image_open(struct file *dir, const char *name, bool trust,
			    char *msg);
int krg_image_trusted(struct file *f, const char *name, char *msg);
int krg_image_commit(struct file *dir, char (*names)[KRG_IMAGE_NAME_MAX],
		     unsigned int n, char *msg);
void krg_image_discard(struct file *dir, char (*names)[KRG_IMAGE_NAME_MAX],
		       unsigned int n);

#endif /* _KRG_EPM_H */
