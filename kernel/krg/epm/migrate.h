/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration's wire format, shared by its two ends (migrate.c, the node
 * a process leaves; migrate_in.c, the node it goes to).
 */
#ifndef _KRG_EPM_MIGRATE_H
#define _KRG_EPM_MIGRATE_H

#include <linux/types.h>
#include <krg/ghost.h>

enum migrate_op {
	MIGRATE_BEGIN,
	MIGRATE_PART,
	MIGRATE_RUN,
	MIGRATE_ABORT,
};

/* One KRG_RPC_MIGRATE message; MIGRATE_PART's bytes follow. */
struct migrate_wire {
	__le32 op;		/* enum migrate_op */
	__le32 id;		/* the sender's number for this migration */
	__le64 offset;		/* PART: where in the file */
	__le32 root;		/* RUN: the root's PID */
	__le32 relay;		/* RUN: the node of its shadow, or -1 */
	char name[32];		/* PART: the image file (KRG_IMAGE_NAME_MAX) */
} __packed;

/* MIGRATE_RUN's reply. */
struct migrate_result {
	__le32 err;
	__le32 pid;
	__le32 tasks;
	__le32 processes;
	__le64 frozen_ns;	/* a forwarded migration's (migrate_ask.c) */
	__le64 bytes;
	char msg[GHOST_MSG_LEN];
} __packed;

/* The largest image a migration moves; bytes per MIGRATE_PART. */
#define KRG_MIGRATE_MAX_BYTES	(4ULL << 30)
#define KRG_MIGRATE_CHUNK	(4U << 20)

struct vfsmount *krg_migrate_area(void);
struct krg_cr_result;
struct krg_rpc_reply;
void krg_migrate_result_fill(struct migrate_result *rr, int err,
			     const struct krg_cr_result *res);
int krg_migrate_result_read(const struct krg_rpc_reply *reply, int node,
			    struct krg_cr_result *res, char *msg);

#endif /* _KRG_EPM_MIGRATE_H */
