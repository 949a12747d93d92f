/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The processes of the cluster, as krgps lists them: each node tells what
 * it runs in the cluster PID namespace (kernel/krg/proc/ps.c).
 */
#ifndef _KRG_PS_H
#define _KRG_PS_H

#include <linux/sched.h>
#include <linux/types.h>
#include <krg/node.h>
#include <krg/proc.h>

/* The longest command line a listing keeps, as ps -w truncates. */
#define KRG_PS_CMDLINE_MAX	1024

/* One process of a listing, as decoded. */
struct krg_ps_entry {
	pid_t pid, ppid, pgid, sid;	/* in the cluster namespace */
	u32 uid;			/* real uid, in the initial namespace */
	u32 threads;
	char state;			/* as in /proc/PID/stat */
	char comm[TASK_COMM_LEN];
	const char *cmdline;		/* NUL-separated, cmdline_len bytes */
	unsigned int cmdline_len;
};

/* What one node answered. */
struct krg_ps_node {
	int node;
	int err;	/* 0, or why it gave no list */
	void *data;	/* its entries, checked */
	size_t len;
};

struct krg_ps {
	unsigned int n;
	struct krg_ps_node nodes[KRG_MAX_NODES];
};

struct krg_ps *krg_ps_gather(void);
void krg_ps_free(struct krg_ps *ps);
/* The entry at *@pos of @n, which moves *@pos on; false at the end. */
bool krg_ps_next(const struct krg_ps_node *n, size_t *pos,
		 struct krg_ps_entry *e);

/* As hidepid=2: krgps shows others' processes only to CAP_SYS_PTRACE. */
extern bool krg_ps_hide_others;

#endif /* _KRG_PS_H */
