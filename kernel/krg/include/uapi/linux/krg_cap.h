/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Kerrighed capabilities: bit numbers of the four per-task sets.
 */
#ifndef _UAPI_LINUX_KRG_CAP_H
#define _UAPI_LINUX_KRG_CAP_H

enum krg_cap_bit {
	KRG_CAP_CHANGE_KERRIGHED_CAP,	/* raise effective sets within permitted */
	KRG_CAP_CAN_MIGRATE,		/* may be migrated */
	KRG_CAP_DISTANT_FORK,		/* may fork onto another node */
	KRG_CAP_CHECKPOINTABLE,		/* may be checkpointed */
	KRG_CAP_USE_REMOTE_MEMORY,	/* may use memory of other nodes */
	KRG_CAP_SEE_LOCAL_PROC_STAT,	/* /proc/stat shows this node only */
	KRG_CAP_NR
};

#define KRG_CAP_ALL	((1U << KRG_CAP_NR) - 1)

#endif /* _UAPI_LINUX_KRG_CAP_H */
