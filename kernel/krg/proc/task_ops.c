// SPDX-License-Identifier: GPL-2.0
/*
 * A process's group, session and priority, asked of the node that runs
 * it: getpgid(), getsid(), getpriority(PRIO_PROCESS, pid) and
 * setpriority(PRIO_PROCESS, pid) of a cluster PID that runs on another
 * node (kernel/sys.c, patch 0018), found through runner.c.
 *
 * The request (struct task_op_wire) names the operation, the PID, the
 * new nice value for setpriority, and what setpriority's checks need of
 * the caller, as its kernel states it: its effective uid, and
 * whether it holds CAP_SYS_NICE in the initial user namespace (one held
 * in a child user namespace does not count on other nodes). The node
 * that runs the PID applies set_one_prio()'s rules: the caller's
 * effective uid must be the target's real or effective uid, or it needs
 * CAP_SYS_NICE, which it also needs to lower the nice value below what
 * the target's RLIMIT_NICE allows (-EACCES). No LSM hook runs there.
 *
 * The reply is a __le32 (the group, the session as the cluster namespace
 * numbers them, or 20 - nice as getpriority() returns it) for the get
 * operations, nothing for setpriority; or the status alone: -ESRCH (not
 * here), -EPERM, -EACCES.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/krg_hooks.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/prio.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/resource.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>

enum task_op {
	TASK_GETPGID,
	TASK_GETSID,
	TASK_GETPRIORITY,
	TASK_SETPRIORITY,
};

struct task_op_wire {
	__le32 op;		/* enum task_op */
	__le32 pid;
	__le32 nice;		/* TASK_SETPRIORITY: MIN_NICE..MAX_NICE */
	__le32 euid;		/* the caller's, in the initial user namespace */
	__le32 cap_sys_nice;	/* 1: CAP_SYS_NICE in the initial user ns */
} __packed;

/* set_one_prio() for a caller on another node; under RCU. */
static int set_prio(const struct task_op_wire *w, struct task_struct *t)
{
	const struct cred *tcred = __task_cred(t);
	kuid_t euid = make_kuid(&init_user_ns, le32_to_cpu(w->euid));
	bool cap = le32_to_cpu(w->cap_sys_nice);
	int nice = (s32)le32_to_cpu(w->nice);

	if (!uid_eq(tcred->uid, euid) && !uid_eq(tcred->euid, euid) && !cap)
		return -EPERM;
	/* can_nice(): within the target's RLIMIT_NICE, or CAP_SYS_NICE. */
	if (nice < task_nice(t) &&
	    nice_to_rlimit(nice) > task_rlimit(t, RLIMIT_NICE) && !cap)
		return -EACCES;
	set_user_nice(t, nice);
	return 0;
}

static int task_op_handler(const struct krg_rpc_request *req,
			   struct krg_rpc_reply *reply)
{
	struct pid_namespace *ns = krg_pid_ns();
	const struct task_op_wire *w = req->data;
	struct task_struct *t;
	__le32 *value;
	u32 op;
	s32 nice;
	int err = 0;

	if (req->len != sizeof(*w))
		return -EPROTO;
	op = le32_to_cpu(w->op);
	nice = le32_to_cpu(w->nice);
	if (op > TASK_SETPRIORITY || !krg_pid_valid(le32_to_cpu(w->pid)) ||
	    nice < MIN_NICE || nice > MAX_NICE)
		return -EPROTO;
	if (!ns || krg_location_elsewhere(le32_to_cpu(w->pid)))
		return -ESRCH;
	value = kvzalloc(sizeof(*value), GFP_KERNEL);
	if (!value)
		return -ENOMEM;
	rcu_read_lock();
	t = find_task_by_pid_ns(le32_to_cpu(w->pid), ns);
	if (!t)
		err = -ESRCH;
	else if (op == TASK_GETPGID)
		*value = cpu_to_le32(task_pgrp_nr_ns(t, ns));
	else if (op == TASK_GETSID)
		*value = cpu_to_le32(task_session_nr_ns(t, ns));
	else if (op == TASK_GETPRIORITY)
		*value = cpu_to_le32(nice_to_rlimit(task_nice(t)));
	else
		err = set_prio(w, t);
	rcu_read_unlock();
	if (err || op == TASK_SETPRIORITY) {
		kvfree(value);
		return err;
	}
	reply->data = value;
	reply->len = sizeof(*value);
	return 0;
}

static long ask(enum task_op op, pid_t pid, int nice)
{
	const struct cred *cred = current_cred();
	struct task_op_wire w = {
		.op = cpu_to_le32(op),
		.pid = cpu_to_le32(pid),
		.nice = cpu_to_le32(nice),
		.euid = cpu_to_le32(from_kuid_munged(&init_user_ns,
						     cred->euid)),
		.cap_sys_nice = cpu_to_le32(krg_caller_capable(CAP_SYS_NICE)),
	};
	struct krg_rpc_reply reply;
	long value;
	int err;

	err = krg_ask_runner(pid, KRG_RPC_TASK_OP, &w, sizeof(w), &reply,
			     op == TASK_SETPRIORITY ? 0 : sizeof(__le32));
	if (err)
		return err;
	if (op == TASK_SETPRIORITY) {
		krg_rpc_reply_free(&reply);
		return 0;
	}
	if (reply.len != sizeof(__le32)) {
		krg_rpc_reply_free(&reply);
		return -EPROTO;
	}
	value = le32_to_cpu(*(__le32 *)reply.data);
	krg_rpc_reply_free(&reply);
	/*
	 * What a peer says must be what this call could return: a group
	 * or session outside the cluster namespace numbers 0 here too.
	 */
	if (op == TASK_GETPRIORITY ? value < 1 || value > 40 :
	    value && !krg_pid_valid(value))
		return -EPROTO;
	return value;
}

int krg_getid_elsewhere(pid_t pid, enum pid_type type)
{
	return ask(type == PIDTYPE_SID ? TASK_GETSID : TASK_GETPGID, pid, 0);
}

int krg_getprio_elsewhere(pid_t pid)
{
	return ask(TASK_GETPRIORITY, pid, 0);
}

int krg_setprio_elsewhere(pid_t pid, int nice)
{
	return ask(TASK_SETPRIORITY, pid, nice);
}

/* getpgid() of a PID no node allocates early. */
static const struct task_op_wire task_op_sample = {
	.op = cpu_to_le32(TASK_GETPGID),
	.pid = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
	.euid = cpu_to_le32(65534),
};

static const struct krg_rpc_service task_op_service = {
	.type = KRG_RPC_TASK_OP,
	.name = "task op",
	.handler = task_op_handler,
	.sample = &task_op_sample,
	.sample_len = sizeof(task_op_sample),
};

int krg_task_ops_init(void)
{
	return krg_rpc_register(&task_op_service);
}
