/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * krg control plane: generic netlink family "krg", version 1.
 *
 * Commands (requests and replies are single messages, but for the
 * KRG_CMD_PS dump):
 *
 * KRG_CMD_CLUSTER_GET   -> KRG_A_NODE_ID, KRG_A_SESSION_ID, KRG_A_STATE,
 *                          KRG_A_IFACE, KRG_A_ONLINE, KRG_A_PRESENT,
 *                          KRG_A_ENCRYPTED
 * KRG_CMD_KEY_SET       KRG_A_KEY (KRG_CLUSTER_KEY_LEN bytes: an AES-256
 *                       key and a 4-byte salt). Installs the cluster key,
 *                       under which links are encrypted and authenticated;
 *                       a node waits for it before it joins (state
 *                       "nokey"). Needs CAP_SYS_ADMIN. Errors: EALREADY
 *                       (a key is set: it changes at a reboot only),
 *                       EOPNOTSUPP (links in clear: krg.encrypt=0).
 * KRG_CMD_NODES_GET     -> KRG_A_NODE_ID, KRG_A_NODES: nested KRG_A_NODE
 *                          entries, each { KRG_A_NODE_ID, KRG_A_NODE_STATE }
 *                          for every present node and this one
 * KRG_CMD_RPC_PING      KRG_A_PING_NODE or KRG_A_PING_NODES, KRG_A_PING_SIZE
 *                       (bytes, default 0), KRG_A_PING_COUNT (default 1,
 *                       max 100000), KRG_A_PING_TYPE (default KRG_RPC_PING),
 *                       KRG_A_PING_TIMEOUT_MS (per call, default 10000)
 *                       -> KRG_A_PING_NODE, KRG_A_PING_COUNT,
 *                          KRG_A_PING_TOTAL_NS
 *                       With KRG_A_PING_NODES (a node list), every round
 *                       pings all of them at once (one multicast call) and
 *                       the reply adds KRG_A_NODES: one KRG_A_NODE
 *                       { KRG_A_NODE_ID, KRG_A_PING_STATUS } per node; a
 *                       node that fails is left out of later rounds.
 *                       With KRG_A_PING_ONEWAY (one node only), COUNT
 *                       one-way pings are sent, then the node is asked
 *                       until it has counted them all (ETIMEDOUT if not
 *                       within the timeout); TOTAL_NS covers all of it.
 *                       Needs CAP_NET_ADMIN. Errors come back as the
 *                       netlink error: EHOSTDOWN, ETIMEDOUT, EBADRQC, EIO...
 *
 * KRG_CMD_CAP_GET       KRG_A_CAP_PID -> KRG_A_CAP_PID and the four sets
 *                       KRG_A_CAP_EFFECTIVE, KRG_A_CAP_PERMITTED,
 *                       KRG_A_CAP_INH_EFFECTIVE, KRG_A_CAP_INH_PERMITTED
 *                       (u32 masks of <linux/krg_cap.h> bits)
 * KRG_CMD_CAP_SET       KRG_A_CAP_PID, any of the four sets (the others
 *                       stay), KRG_A_CAP_FORCE (flag: clip the effective
 *                       set to the permitted one) -> the sets now.
 *                       Needs ownership of the task or CAP_SYS_ADMIN.
 *                       Errors: ESRCH, EPERM, EINVAL, EBUSY (a capability
 *                       in use would leave the effective set).
 *
 * KRG_CMD_CHECKPOINT   KRG_A_CR_PID (cluster PID of the root), KRG_A_CR_DIR_FD
 *                       (an fd of the caller on the image directory),
 *                       KRG_A_CR_FLAGS (KRG_CR_KILL, KRG_CR_STOP,
 *                       KRG_CR_IGNORE_UNSUPPORTED) -> KRG_A_CR_PID,
 *                       KRG_A_CR_TASKS, KRG_A_CR_PROCESSES,
 *                       KRG_A_CR_SUBSTITUTED. Freezes the
 *                       tree rooted at the PID, writes the image
 *                       (<linux/krg_image.h>), then resumes, kills or
 *                       stops the tree. Needs CHECKPOINTABLE in every
 *                       task's effective set, and ownership of them or
 *                       CAP_SYS_ADMIN. Errors: ESRCH, EPERM, EBUSY (an
 *                       unsupported resource), ETIMEDOUT (a task did not
 *                       stop), ENODEV (no cluster PID namespace), and the
 *                       image file's; the extended ack says which task
 *                       and why.
 * KRG_CMD_RESTART       KRG_A_CR_DIR_FD, KRG_A_CR_FLAGS (KRG_CR_STOPPED,
 *                       KRG_CR_EAGER, KRG_CR_TRUST)
 *                       -> KRG_A_CR_PID (the root), KRG_A_CR_TASKS,
 *                       KRG_A_CR_PROCESSES.
 *                       Recreates the tree, with the same PIDs, as children
 *                       of the caller, who must be in the cluster PID
 *                       namespace (for its children). With KRG_A_CR_NODE
 *                       naming another node, KRG_A_CR_PATH (absolute, as
 *                       that node sees it) replaces KRG_A_CR_DIR_FD: that
 *                       node restarts the tree with the caller's
 *                       credentials, as children of its reaper. Also
 *                       EHOSTDOWN (node not in the cluster), ETIMEDOUT. Errors: EBUSY (a PID
 *                       in use), EPERM (credentials not the caller's),
 *                       ENOEXEC (not an image), EPROTONOSUPPORT (another
 *                       image version), EBADMSG (checksum), ENODATA
 *                       (truncated), EPROTO (unexpected section), EINVAL
 *                       (a bad value), with the reason in the extended ack.
 *
 * KRG_CMD_PS            (dump; no attributes) -> one message per process
 *                       of the cluster PID namespace, on every online
 *                       node: KRG_A_NODE_ID (where it runs), KRG_A_PS_PID,
 *                       KRG_A_PS_PPID, KRG_A_PS_PGID, KRG_A_PS_SID (cluster
 *                       PIDs; 0 for one outside the namespace),
 *                       KRG_A_PS_UID (real uid), KRG_A_PS_THREADS,
 *                       KRG_A_PS_STATE (a /proc/PID/stat letter),
 *                       KRG_A_PS_COMM, KRG_A_PS_CMDLINE (NUL-separated
 *                       arguments, at most 1024 bytes, empty for a zombie);
 *                       and one message per node that did not answer:
 *                       KRG_A_NODE_ID, KRG_A_PS_ERR (a positive errno).
 *                       Open to every user whose PID namespace holds the
 *                       cluster's (else EPERM): it shows what /proc shows
 *                       any user on the node (no hidepid), uids mapped
 *                       into the caller's user namespace; with
 *                       /sys/kernel/krg/ps_hide_others=1 on the node
 *                       asked, as hidepid=2: a caller without
 *                       CAP_SYS_PTRACE gets only processes whose real uid
 *                       is its fsuid. Each node's
 *                       reaper and kernel threads are left out. ENODEV:
 *                       no cluster PID namespace here. A node serves two
 *                       lists at once at most (EBUSY for it beyond).
 *
 * KRG_CMD_MIGRATE       KRG_A_CR_PID (a cluster PID, on any node),
 *                       KRG_A_CR_NODE, KRG_A_CR_FLAGS (KRG_CR_TREE: its
 *                       descendants too) -> KRG_A_CR_PID, KRG_A_CR_TASKS,
 *                       KRG_A_CR_PROCESSES, KRG_A_CR_FROZEN_NS,
 *                       KRG_A_CR_BYTES. Freezes the process (or tree),
 *                       exports it, restarts it on the node with the same
 *                       PIDs and TIDs, and ends it here: if its parent is
 *                       here, the process stays as its shadow, which
 *                       forwards signals and exits with its exit status.
 *                       Asked on another node than the one that runs it,
 *                       that node does it with the caller's credentials.
 *                       Needs CAN_MIGRATE in each process's effective set,
 *                       and ptrace attach rights over each task or
 *                       CAP_SYS_ADMIN. The node it runs on already:
 *                       success, nothing done. Errors: EINVAL (no such
 *                       node), EHOSTDOWN (not in the cluster, or left),
 *                       EPERM, ESRCH, EBUSY (children without KRG_CR_TREE,
 *                       a resource or a confinement that cannot move, a
 *                       shadow, its shadow's node), EREMOTE (moved on
 *                       while forwarded), and those of checkpoint and
 *                       restart. On any error the process goes on where
 *                       it was. See Documentation/migration.md.
 *
 * KRG_CMD_NODE_LEAVE    KRG_A_NODE_ID (any node, this one too),
 *                       KRG_A_LEAVE_FORCE (flag). The node leaves the
 *                       cluster: it takes no more work (state "left"),
 *                       then, half a second after it answers, its links
 *                       go and every node sees it down. It joins again by
 *                       booting again. Refused with EBUSY while cluster
 *                       processes run there (shadows aside), unless
 *                       KRG_A_LEAVE_FORCE, which kills them first. Needs
 *                       CAP_SYS_ADMIN. Errors: EINVAL (no such node),
 *                       EHOSTDOWN (offline), ENOTCONN (not joined: left
 *                       already, or never joined). krgadm node evacuate
 *                       moves the processes away first.
 *
 * KRG_CMD_HA_LOAD       KRG_A_HA_POLICY. Loads module krg_ha_POLICY here,
 *                       then on every other online node (and on nodes
 *                       that join later). Needs CAP_SYS_MODULE. Errors:
 *                       ENOENT (no such module here), EINVAL (bad name),
 *                       EREMOTEIO (another node could not load it).
 *
 * KRG_CMD_HA_ATTACH     KRG_A_HA_ID (the root's cluster PID, on any
 *                       node), KRG_A_HA_POLICY (loaded), KRG_A_HA_PARAMS
 *                       ("key=value ..." of the policy's table). Tags the
 *                       tree and records how to start it again, on every
 *                       node. Needs what a checkpoint of the root needs.
 *                       Errors: ESRCH, EPERM, ENOENT (policy not loaded),
 *                       EINVAL (a parameter: named), EEXIST (attached
 *                       already), EBUSY (a task of another application).
 *
 * KRG_CMD_HA_DETACH     KRG_A_HA_ID. Needs to be its owner (its root's uid)
 *                       or CAP_SYS_ADMIN. Errors: ENOENT, EPERM.
 *
 * KRG_CMD_HA_STATUS     -> KRG_A_NODE_ID, KRG_A_HA_POLICIES, KRG_A_HA_APPS:
 *                       one KRG_A_HA_APP per application { KRG_A_HA_ID,
 *                       KRG_A_HA_ROOT, KRG_A_HA_POLICY, KRG_A_HA_PARAMS,
 *                       KRG_A_HA_OWNER, KRG_A_HA_STATE,
 *                       KRG_A_HA_RECOVERIES, KRG_A_HA_FOOTPRINT,
 *                       KRG_A_HA_COMMITTED }.
 *                       Attach, detach and status work from any node;
 *                       every node holds the whole registry.
 *
 * A checkpoint or restart that fails sends, before its error, a message
 * with KRG_A_ERR_MSG: its reason in full (the extended ack of the error
 * holds 80 bytes of it at most).
 *
 * Strings are NUL terminated. Node sets are in the cpumask list format.
 */
#ifndef _UAPI_LINUX_KRG_NETLINK_H
#define _UAPI_LINUX_KRG_NETLINK_H

#define KRG_GENL_NAME		"krg"
#define KRG_GENL_VERSION	1

enum krg_cmd {
	KRG_CMD_UNSPEC,
	KRG_CMD_CLUSTER_GET,
	KRG_CMD_NODES_GET,
	KRG_CMD_RPC_PING,
	KRG_CMD_CAP_GET,
	KRG_CMD_CAP_SET,
	KRG_CMD_CHECKPOINT,
	KRG_CMD_RESTART,
	KRG_CMD_KEY_SET,
	KRG_CMD_PS,
	KRG_CMD_MIGRATE,
	KRG_CMD_NODE_LEAVE,
	KRG_CMD_HA_LOAD,
	KRG_CMD_HA_ATTACH,
	KRG_CMD_HA_DETACH,
	KRG_CMD_HA_STATUS,
	__KRG_CMD_MAX
};
#define KRG_CMD_MAX (__KRG_CMD_MAX - 1)

enum krg_attr {
	KRG_A_UNSPEC,
	KRG_A_NODE_ID,		/* u32 */
	KRG_A_SESSION_ID,	/* u32 */
	KRG_A_STATE,		/* string: out, joining, nokey, joined, failed, left */
	KRG_A_IFACE,		/* string */
	KRG_A_ONLINE,		/* string: node list */
	KRG_A_PRESENT,		/* string: node list */
	KRG_A_NODES,		/* nested: KRG_A_NODE... */
	KRG_A_NODE,		/* nested: KRG_A_NODE_ID, KRG_A_NODE_STATE */
	KRG_A_NODE_STATE,	/* u8: enum krg_node_state */
	KRG_A_PING_NODE,	/* u32 */
	KRG_A_PING_SIZE,	/* u32 */
	KRG_A_PING_COUNT,	/* u32 */
	KRG_A_PING_TYPE,	/* u16 */
	KRG_A_PING_TIMEOUT_MS,	/* u32 */
	KRG_A_PING_TOTAL_NS,	/* u64 */
	KRG_A_PAD,
	KRG_A_PING_NODES,	/* string: node list */
	KRG_A_PING_STATUS,	/* u32: 0 or a positive errno */
	KRG_A_CAP_PID,		/* u32 */
	KRG_A_CAP_EFFECTIVE,	/* u32 */
	KRG_A_CAP_PERMITTED,	/* u32 */
	KRG_A_CAP_INH_EFFECTIVE,	/* u32 */
	KRG_A_CAP_INH_PERMITTED,	/* u32 */
	KRG_A_CAP_FORCE,	/* flag */
	KRG_A_PING_ONEWAY,	/* flag */
	KRG_A_CR_PID,		/* u32 */
	KRG_A_CR_DIR_FD,	/* u32 */
	KRG_A_CR_FLAGS,		/* u32: KRG_CR_* */
	KRG_A_CR_TASKS,		/* u32 */
	KRG_A_CR_SUBSTITUTED,	/* u32: fds replaced by /dev/null */
	KRG_A_CR_NODE,		/* u32: where to restart */
	KRG_A_CR_PATH,		/* string: the image, for another node */
	KRG_A_KEY,		/* binary: KRG_CLUSTER_KEY_LEN bytes */
	KRG_A_ENCRYPTED,	/* u8: 1 if links are encrypted */
	KRG_A_ERR_MSG,		/* string: why a request failed, in full */
	KRG_A_CR_PROCESSES,	/* u32: of KRG_A_CR_TASKS, those not threads */
	KRG_A_PS_PID,		/* u32 */
	KRG_A_PS_PPID,		/* u32 */
	KRG_A_PS_PGID,		/* u32 */
	KRG_A_PS_SID,		/* u32 */
	KRG_A_PS_UID,		/* u32 */
	KRG_A_PS_THREADS,	/* u32 */
	KRG_A_PS_STATE,		/* u8: R, S, D, T, t, Z, X, I, P */
	KRG_A_PS_COMM,		/* string */
	KRG_A_PS_CMDLINE,	/* binary: NUL-separated arguments */
	KRG_A_PS_ERR,		/* u32: a positive errno */
	KRG_A_CR_FROZEN_NS,	/* u64: how long the tree stood frozen */
	KRG_A_CR_BYTES,		/* u64: the image's size (migration: sent) */
	KRG_A_LEAVE_FORCE,	/* flag */
	KRG_A_HA_POLICY,	/* string: a policy name */
	KRG_A_HA_PARAMS,	/* string: "key=value key=value" */
	KRG_A_HA_ID,		/* u32: an application (its root's first PID) */
	KRG_A_HA_APPS,		/* nested: KRG_A_HA_APP... */
	KRG_A_HA_APP,		/* nested: one application */
	KRG_A_HA_ROOT,		/* u32: its root's PID now */
	KRG_A_HA_OWNER,		/* u32: its root's real uid when attached */
	KRG_A_HA_STATE,		/* string: running, recovering, failed */
	KRG_A_HA_RECOVERIES,	/* u32 */
	KRG_A_HA_FOOTPRINT,	/* string: node list */
	KRG_A_HA_POLICIES,	/* string: policies loaded, space-separated */
	KRG_A_HA_COMMITTED,	/* u32: last committed checkpoint set, 0: none */
	__KRG_A_MAX
};
#define KRG_A_MAX (__KRG_A_MAX - 1)

#define KRG_CLUSTER_KEY_LEN	36

enum krg_cr_flags {
	KRG_CR_KILL = 1,		/* checkpoint: kill the tree afterwards */
	KRG_CR_STOP = 2,		/* checkpoint: leave it stopped */
	KRG_CR_IGNORE_UNSUPPORTED = 4,	/* checkpoint: /dev/null instead */
	KRG_CR_STOPPED = 8,		/* restart: leave it stopped */
	KRG_CR_EAGER = 16,		/* restart: load all memory first */
	KRG_CR_TRUST = 32,		/* restart: an image others can write */
	KRG_CR_TREE = 64,		/* migrate: its descendants too */
};
#define KRG_CR_CHECKPOINT_FLAGS	(KRG_CR_KILL | KRG_CR_STOP | \
				 KRG_CR_IGNORE_UNSUPPORTED)
#define KRG_CR_RESTART_FLAGS	(KRG_CR_STOPPED | KRG_CR_EAGER | KRG_CR_TRUST)
#define KRG_CR_MIGRATE_FLAGS	KRG_CR_TREE

enum krg_node_state {
	KRG_NODE_STATE_ONLINE = 1,	/* reachable now */
	KRG_NODE_STATE_UNREACHABLE,	/* was present, link lost */
};

#endif /* _UAPI_LINUX_KRG_NETLINK_H */
