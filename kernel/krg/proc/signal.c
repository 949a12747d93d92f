// SPDX-License-Identifier: GPL-2.0
/*
 * Signals to processes of other nodes: kill(), sigqueue(), tgkill() and
 * tkill() of a cluster PID that runs on another node, and kill() of a
 * process group with members there, behave as on one machine.
 *
 * When the caller's node finds no such task (kernel/signal.c, patch 0017),
 * it asks every other online node at once with KRG_RPC_SIGNAL: one round
 * trip. A node that runs the target checks the sender's permission as
 * check_kill_permission() would, and delivers; the others answer -ESRCH.
 *
 * The request (struct signal_wire) carries what that check needs of the
 * sender, as its kernel states it (RPCs come only from krg kernels): real
 * and effective uid, session, and whether it holds CAP_KILL in the initial
 * user namespace. A CAP_KILL held only in a child user namespace does not
 * count on other nodes: it is refused there rather than granted beyond
 * what Linux grants. The target's node runs no LSM or audit hook for it.
 *
 * The reply is the handler's status alone: 0 (sent; for signal 0, it
 * exists and may be signalled), -ESRCH (no such task here), -EPERM or
 * -EINVAL (a bad signal number), as kill() would return them; runner.c
 * says how the answers of all nodes make the call's.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/cred.h>
#include <linux/krg_hooks.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>

enum signal_target {
	SIGNAL_PROCESS,		/* kill(), sigqueue() */
	SIGNAL_THREAD,		/* tgkill(), tkill() */
	SIGNAL_GROUP,		/* kill(-pgrp), kill(0) */
};

struct signal_wire {
	__le32 target;		/* enum signal_target */
	__le32 id;		/* the PID, TID or process group */
	__le32 tgid;		/* SIGNAL_THREAD: the TID's process, or 0 */
	__le32 sig;		/* 0: only check existence and permission */
	/* The sender, as check_kill_permission() needs it. */
	__le32 uid, euid;	/* in the initial user namespace */
	__le32 sid;		/* its session, for SIGCONT */
	__le32 cap_kill;	/* 1: CAP_KILL in the initial user namespace */
	/* Its siginfo: si_uid in the initial user namespace. */
	__le32 si_errno;
	__le32 si_code;		/* <= 0: sent by a user */
	u8 fields[sizeof(union __sifields)];	/* nodes share the arch */
} __packed;

/* As signal.c's has_si_pid_and_uid(): does @info name its sender? */
static bool names_sender(const struct kernel_siginfo *info)
{
	switch (siginfo_layout(info->si_signo, info->si_code)) {
	case SIL_KILL:
	case SIL_CHLD:
	case SIL_RT:
		return true;
	default:
		return false;
	}
}

/* check_kill_permission() for a sender on another node; under RCU. */
static int may_signal(const struct signal_wire *w, int sig,
		      struct task_struct *t, struct pid_namespace *ns)
{
	const struct cred *tcred = __task_cred(t);
	kuid_t uid = make_kuid(&init_user_ns, le32_to_cpu(w->uid));
	kuid_t euid = make_kuid(&init_user_ns, le32_to_cpu(w->euid));
	struct pid *session;
	pid_t sid;

	if (!valid_signal(sig))
		return -EINVAL;
	if (uid_eq(euid, tcred->suid) || uid_eq(euid, tcred->uid) ||
	    uid_eq(uid, tcred->suid) || uid_eq(uid, tcred->uid) ||
	    le32_to_cpu(w->cap_kill))
		return 0;
	/*
	 * SIGCONT within a session, as job control sends it, or to a task
	 * whose session is gone (unhashed: it is exiting). A session made
	 * outside the cluster namespace numbers 0 on both sides: no match.
	 */
	session = task_session(t);
	sid = pid_nr_ns(session, ns);
	if (sig == SIGCONT &&
	    (!session || (sid && sid == le32_to_cpu(w->sid))))
		return 0;
	return -EPERM;
}

/* Check, then send @info to @t, with the sender's ids as @t sees them. */
static int signal_task(const struct signal_wire *w, int sig,
		       struct kernel_siginfo *info, struct task_struct *t,
		       enum pid_type type, struct pid_namespace *ns)
{
	struct kernel_siginfo si = *info;
	int err = may_signal(w, sig, t, ns);

	if (err || !sig)
		return err;
	if (names_sender(&si)) {
		si.si_uid = from_kuid_munged(task_cred_xxx(t, user_ns),
					     make_kuid(&init_user_ns,
						       si.si_uid));
		/* The sender is not in a namespace below the cluster's. */
		if (task_active_pid_ns(t) != ns)
			si.si_pid = 0;
	}
	return krg_signal_deliver(sig, &si, t, type);
}

static int signal_one(const struct signal_wire *w, int sig,
		      struct kernel_siginfo *info, struct pid_namespace *ns)
{
	pid_t tgid = le32_to_cpu(w->tgid);
	bool thread = le32_to_cpu(w->target) == SIGNAL_THREAD;
	struct task_struct *t;
	int err = -ESRCH;

	rcu_read_lock();
	t = pid_task(find_pid_ns(le32_to_cpu(w->id), ns), PIDTYPE_PID);
	if (t && (!tgid || task_tgid_nr_ns(t, ns) == tgid)) {
		err = signal_task(w, sig, info, t,
				  thread ? PIDTYPE_PID : PIDTYPE_TGID, ns);
		/* As do_send_specific(): it died as the signal came. */
		if (thread && err == -ESRCH)
			err = 0;
	}
	rcu_read_unlock();
	return err;
}

/* As __kill_pgrp_info(): 0 if one member got it, else the last error. */
static int signal_group(const struct signal_wire *w, int sig,
			struct kernel_siginfo *info, struct pid_namespace *ns)
{
	struct task_struct *t;
	struct pid *pgrp;
	int err, ret = -ESRCH;

	read_lock(&tasklist_lock);
	pgrp = find_pid_ns(le32_to_cpu(w->id), ns);
	do_each_pid_task(pgrp, PIDTYPE_PGID, t) {
		rcu_read_lock();	/* for the credentials */
		err = signal_task(w, sig, info, t, PIDTYPE_PGID, ns);
		rcu_read_unlock();
		if (ret)
			ret = err;
	} while_each_pid_task(pgrp, PIDTYPE_PGID, t);
	read_unlock(&tasklist_lock);
	return ret;
}

static int signal_handler(const struct krg_rpc_request *req,
			  struct krg_rpc_reply *reply)
{
	struct pid_namespace *ns = krg_pid_ns();
	const struct signal_wire *w = req->data;
	struct kernel_siginfo info;
	u32 target;
	s32 tgid, code;
	int sig;

	if (req->len != sizeof(*w))
		return -EPROTO;
	target = le32_to_cpu(w->target);
	tgid = le32_to_cpu(w->tgid);
	code = le32_to_cpu(w->si_code);
	sig = le32_to_cpu(w->sig);
	if (target > SIGNAL_GROUP || !krg_pid_valid(le32_to_cpu(w->id)) ||
	    (tgid && (target != SIGNAL_THREAD || !krg_pid_valid(tgid))) ||
	    code > 0)
		return -EPROTO;
	if (!ns)
		return -ESRCH;
	clear_siginfo(&info);
	info.si_signo = sig;
	info.si_errno = le32_to_cpu(w->si_errno);
	info.si_code = code;
	memcpy(&info._sifields, w->fields, sizeof(w->fields));
	if (target == SIGNAL_GROUP)
		return signal_group(w, sig, &info, ns);
	if (krg_location_elsewhere(le32_to_cpu(w->id)))
		return -ESRCH;
	return signal_one(w, sig, &info, ns);
}

/* kill(-pgrp): every node's answer counts. */
static void gather_group(int node, int status,
			 const struct krg_rpc_reply *reply, void *arg)
{
	krg_runner_note(arg, node, status);
}

/* The request for a signal from current. */
static void signal_wire(struct signal_wire *w, enum signal_target target,
			pid_t id, pid_t tgid, int sig,
			const struct kernel_siginfo *info)
{
	const struct cred *cred = current_cred();
	struct kernel_siginfo si = *info;

	memset(w, 0, sizeof(*w));
	if (names_sender(&si))
		si.si_uid = from_kuid_munged(&init_user_ns,
					     make_kuid(current_user_ns(),
						       si.si_uid));
	w->target = cpu_to_le32(target);
	w->id = cpu_to_le32(id);
	w->tgid = cpu_to_le32(tgid);
	w->sig = cpu_to_le32(sig);
	w->uid = cpu_to_le32(from_kuid_munged(&init_user_ns, cred->uid));
	w->euid = cpu_to_le32(from_kuid_munged(&init_user_ns, cred->euid));
	w->sid = cpu_to_le32(task_session_vnr(current));
	w->cap_kill = cpu_to_le32(krg_caller_capable(CAP_KILL));
	w->si_errno = cpu_to_le32(si.si_errno);
	w->si_code = cpu_to_le32(si.si_code);
	memcpy(w->fields, &si._sifields, sizeof(w->fields));
}

int krg_kill_elsewhere(int sig, struct kernel_siginfo *info, pid_t tgid,
		       pid_t pid, enum pid_type type)
{
	struct signal_wire w;

	if (!krg_task_elsewhere(pid) || (tgid && !krg_pid_valid(tgid)) ||
	    info->si_code > 0)
		return -ESRCH;
	signal_wire(&w, type == PIDTYPE_PID ? SIGNAL_THREAD : SIGNAL_PROCESS,
		    pid, tgid, sig, info);
	return krg_ask_runner(pid, KRG_RPC_SIGNAL, &w, sizeof(w), NULL, 0);
}

int krg_kill_pgrp_elsewhere(int sig, struct kernel_siginfo *info,
			    pid_t pgrp, int local_err)
{
	struct signal_wire w;
	struct krg_runner r;

	if (!krg_task_elsewhere(pgrp) || info->si_code > 0)
		return local_err;
	/* A group's members may run anywhere: ask every node. */
	signal_wire(&w, SIGNAL_GROUP, pgrp, 0, sig, info);
	krg_ask_others(KRG_RPC_SIGNAL, &w, sizeof(w), gather_group, &r, &r);
	if (!local_err || r.any)
		return 0;
	if (local_err != -ESRCH)
		return local_err;
	return krg_runner_result(&r);
}

/* Signal 0 to a PID no node allocates early: existence probe. */
static const struct signal_wire signal_sample = {
	.target = cpu_to_le32(SIGNAL_PROCESS),
	.id = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
	.uid = cpu_to_le32(65534),
	.euid = cpu_to_le32(65534),
};

static const struct krg_rpc_service signal_service = {
	.type = KRG_RPC_SIGNAL,
	.name = "signal",
	.handler = signal_handler,
	.sample = &signal_sample,
	.sample_len = sizeof(signal_sample),
};

int krg_signal_init(void)
{
	return krg_rpc_register(&signal_service);
}
