// SPDX-License-Identifier: GPL-2.0
/*
 * Attach: tag every task of a process tree with its application's id, on
 * every node the tree spreads over, and capture how to start it again.
 *
 * The node attaching sends KRG_RPC_HA_TAG to the node that runs the root,
 * with the caller's credentials: there, the caller must have the rights a
 * checkpoint needs on the root (ptrace attach, and the root's
 * CHECKPOINTABLE capability), as on one machine. That node tags the
 * root's local subtree, captures the launch record, and names the
 * children that run on other nodes (migrated); the attaching node has
 * their nodes tag their subtrees in turn, with the same check on each
 * subtree's root (a PID reused meanwhile is then another user's only if
 * the caller may checkpoint it anyway). A task already tagged for
 * another application still registered refuses the attach (EBUSY).
 */
#define pr_fmt(fmt) "krg: ha: " fmt

#include <linux/cred.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <krg/cap.h>
#include <krg/membership.h>
#include <krg/ghost_task.h>
#include <krg/pid.h>
#include <krg/proc.h>
#include <krg/rpc.h>
#include "ha_internal.h"

#define TAG_CAPTURE	1	/* the root: check the caller, capture */
#define TAG_MAX_TASKS	4096	/* processes of one subtree on one node */
#define TAG_MAX_AWAY	256	/* of them, running on other nodes */
#define TAG_MSG_LEN	160

struct tag_wire {
	__le32 id;
	__le32 pid;
	__le32 flags;		/* TAG_CAPTURE */
	/* The caller's credentials follow, as in an image. */
} __packed;

struct tag_reply {
	__le32 err;		/* 0 or a positive errno, with @msg */
	char msg[TAG_MSG_LEN];
	__le32 processes;	/* tagged here */
	__le32 owner;		/* the root's real uid */
	__le32 nr_away;		/* pids that run on other nodes, then */
	__le32 launch_len;	/* TAG_CAPTURE: the launch record */
	__le32 away[];
} __packed;

/* 0 if @id is free to take @t: untagged, or tagged for a detached app. */
static int tag_free(struct task_struct *t, u32 id)
{
	u32 had = READ_ONCE(t->krg_ha_app);
	int busy;

	if (!had || had == id)
		return 0;
	mutex_lock(&ha_lock);
	busy = ha_find(had) != NULL;
	mutex_unlock(&ha_lock);
	return busy ? -EBUSY : 0;
}

/*
 * The processes of @root's subtree here, held, root first: the children
 * of every thread (a child's parent is the thread that forked it).
 */
static int subtree(struct task_struct *root, struct task_struct **list)
{
	struct task_struct *p, *t, *c;
	int n = 0, i;

	read_lock(&tasklist_lock);
	list[n++] = root;
	get_task_struct(root);
	for (i = 0; i < n; i++) {
		p = list[i];
		for_each_thread(p, t) {
			list_for_each_entry(c, &t->children, sibling) {
				if (n == TAG_MAX_TASKS)
					goto full;
				get_task_struct(c);
				list[n++] = c;
			}
		}
	}
	read_unlock(&tasklist_lock);
	return n;
full:
	read_unlock(&tasklist_lock);
	while (n--)
		put_task_struct(list[n]);
	return -E2BIG;
}

static void set_tag(struct task_struct *p, u32 id)
{
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(p, t)
		WRITE_ONCE(t->krg_ha_app, id);
	rcu_read_unlock();
}

static bool tagged(struct task_struct *p, u32 id)
{
	struct task_struct *t;
	bool all = true;

	rcu_read_lock();
	for_each_thread(p, t)
		all &= READ_ONCE(t->krg_ha_app) == id;
	rcu_read_unlock();
	return all;
}

/* Note @nr as running on another node, once; false if the list is full. */
static bool add_away(struct tag_reply *r, pid_t nr)
{
	u32 i, n = le32_to_cpu(r->nr_away);

	for (i = 0; i < n; i++)
		if (le32_to_cpu(r->away[i]) == nr)
			return true;
	if (n == TAG_MAX_AWAY)
		return false;
	r->away[n] = cpu_to_le32(nr);
	r->nr_away = cpu_to_le32(n + 1);
	return true;
}

/*
 * One pass over the subtree: check it is free, tag what is not tagged yet
 * and note what runs elsewhere. Return how many processes it tagged.
 */
static int tag_pass(struct task_struct *root, u32 id, struct tag_reply *r,
		    struct task_struct **list)
{
	struct pid_namespace *ns = krg_pid_ns();
	int n, i, err = 0, fresh = 0;
	pid_t pid = task_tgid_nr_ns(root, ns), nr;

	n = subtree(root, list);
	if (n < 0) {
		snprintf(r->msg, TAG_MSG_LEN,
			 "pid %d has more than %d descendants on node %d",
			 pid, TAG_MAX_TASKS, krg_node_id);
		return n;
	}
	for (i = 0; i < n && !err; i++) {
		err = tag_free(list[i], id);
		if (err)
			snprintf(r->msg, TAG_MSG_LEN,
				 "pid %d belongs to HA application %u already",
				 task_tgid_nr_ns(list[i], ns),
				 READ_ONCE(list[i]->krg_ha_app));
	}
	for (i = 0; i < n && !err; i++) {
		nr = task_tgid_nr_ns(list[i], ns);
		if (i && krg_location_elsewhere(nr)) {
			if (!add_away(r, nr)) {
				snprintf(r->msg, TAG_MSG_LEN,
					 "pid %d has more than %d descendants on other nodes",
					 pid, TAG_MAX_AWAY);
				err = -E2BIG;
			}
			continue;
		}
		if (tagged(list[i], id))
			continue;
		set_tag(list[i], id);
		fresh++;
	}
	while (n--)
		put_task_struct(list[n]);
	return err ?: fresh;
}

/*
 * Tag the subtree of @pid here; fill @r (and its away list). A task that
 * forked before its parent was tagged has an untagged child: passes go on
 * until one finds nothing new (fork copies the tag from then on).
 */
static int tag_here(u32 id, pid_t pid, bool capture, struct tag_reply *r,
		    void **launch, u32 *launch_len)
{
	struct pid_namespace *ns = krg_pid_ns();
	struct task_struct **list, *root;
	int pass, fresh = 0, err = 0;

	rcu_read_lock();
	root = ns ? pid_task(find_pid_ns(pid, ns), PIDTYPE_TGID) : NULL;
	if (root)
		get_task_struct(root);
	rcu_read_unlock();
	if (!root || root->exit_state || krg_location_elsewhere(pid)) {
		snprintf(r->msg, TAG_MSG_LEN, "no pid %d runs on node %d",
			 pid, krg_node_id);
		err = -ESRCH;
		goto out;
	}
	/* A checkpoint's rights, on the root and on every part elsewhere. */
	if (!ptrace_may_access(root, PTRACE_MODE_ATTACH_REALCREDS) ||
	    !krg_cap_raised(root, KRG_CAP_CHECKPOINTABLE)) {
		snprintf(r->msg, TAG_MSG_LEN,
			 "not allowed to checkpoint pid %d (it needs CHECKPOINTABLE, and you the right to ptrace it)",
			 pid);
		err = -EPERM;
		goto out;
	}
	if (capture) {
		err = ha_launch_capture(root, launch, launch_len);
		if (err) {
			snprintf(r->msg, TAG_MSG_LEN,
				 "cannot read how pid %d was started", pid);
			goto out;
		}
		r->owner = cpu_to_le32(from_kuid(&init_user_ns,
						 task_uid(root)));
	}
	list = kvcalloc(TAG_MAX_TASKS, sizeof(*list), GFP_KERNEL);
	if (!list) {
		err = -ENOMEM;
		goto out;
	}
	for (pass = 0; pass < 8; pass++) {
		err = tag_pass(root, id, r, list);
		if (err <= 0)
			break;
		fresh += err;
	}
	kvfree(list);
	if (err > 0) {
		snprintf(r->msg, TAG_MSG_LEN,
			 "pid %d's subtree kept forking untagged children",
			 pid);
		err = -EAGAIN;
	}
	r->processes = cpu_to_le32(fresh);
out:
	if (err && launch && *launch) {
		kvfree(*launch);
		*launch = NULL;
	}
	if (root)
		put_task_struct(root);
	return err;
}

/* Tag @pid's subtree here, as the current credentials may; reply in @reply. */
static int tag_reply_make(u32 id, pid_t pid, bool capture,
			  struct krg_rpc_reply *reply)
{
	struct tag_reply *r;
	void *launch = NULL;
	u32 launch_len = 0;
	size_t len;
	int err;

	r = kvzalloc(struct_size(r, away, TAG_MAX_AWAY) + KRG_HA_MAX_LAUNCH,
		     GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = tag_here(id, pid, capture, r, &launch, &launch_len);
	r->err = cpu_to_le32(-err);
	len = struct_size(r, away, le32_to_cpu(r->nr_away));
	if (launch) {
		r->launch_len = cpu_to_le32(launch_len);
		memcpy((void *)r + len, launch, launch_len);
		len += launch_len;
		kvfree(launch);
	}
	reply->data = r;
	reply->len = len;
	return 0;
}

static int tag_handler(const struct krg_rpc_request *req,
		       struct krg_rpc_reply *reply)
{
	const struct tag_wire *w = req->data;
	const struct krg_img_creds *creds = (const void *)(w + 1);
	const struct cred *old;
	struct cred *cred;
	bool capture;
	int err;

	if (req->len < sizeof(*w))
		return -EPROTO;
	capture = le32_to_cpu(w->flags) & TAG_CAPTURE;
	if (le32_to_cpu(w->flags) & ~TAG_CAPTURE ||
	    !krg_pid_valid(le32_to_cpu(w->id)) ||
	    !krg_pid_valid(le32_to_cpu(w->pid)))
		return -EPROTO;
	if (req->len < sizeof(*w) + sizeof(*creds) ||
	    creds->ngroups > KRG_IMG_MAX_GROUPS ||
	    req->len != sizeof(*w) + struct_size(creds, groups, creds->ngroups))
		return -EPROTO;
	/* The checks are the caller's: wear its credentials for them. */
	cred = ghost_creds_make(creds);
	if (IS_ERR(cred))
		return PTR_ERR(cred);
	old = override_creds(cred);
	err = tag_reply_make(le32_to_cpu(w->id), le32_to_cpu(w->pid), capture,
			     reply);
	revert_creds(old);
	put_cred(cred);
	return err;
}

/* Check a tag reply; its error, with its message in @msg. */
static int read_reply(const struct krg_rpc_reply *reply, char *msg,
		      size_t size)
{
	const struct tag_reply *r = reply->data;
	u32 nr_away, launch_len;

	if (reply->len < sizeof(*r))
		return -EPROTO;
	nr_away = le32_to_cpu(r->nr_away);
	launch_len = le32_to_cpu(r->launch_len);
	if (nr_away > TAG_MAX_AWAY || launch_len > KRG_HA_MAX_LAUNCH ||
	    reply->len != struct_size(r, away, nr_away) + launch_len)
		return -EPROTO;
	if (r->err) {
		snprintf(msg, size, "%.*s", TAG_MSG_LEN, r->msg);
		return -(int)le32_to_cpu(r->err);
	}
	return 0;
}

/* Tag @pid's subtree on @node, which runs it; the reply in @reply. */
static int tag_on(int node, u32 id, pid_t pid, bool capture,
		  struct krg_rpc_reply *reply, char *msg, size_t size)
{
	struct tag_wire *w;
	ssize_t len = 0;
	int err;

	if (node == krg_node_id) {
		/* Here, the caller's own credentials are current. */
		err = tag_reply_make(id, pid, capture, reply);
	} else {
		w = kzalloc(sizeof(*w) +
			    struct_size_t(struct krg_img_creds, groups,
					  KRG_IMG_MAX_GROUPS), GFP_KERNEL);
		if (!w)
			return -ENOMEM;
		w->id = cpu_to_le32(id);
		w->pid = cpu_to_le32(pid);
		w->flags = cpu_to_le32(capture ? TAG_CAPTURE : 0);
		len = ghost_creds_save(current_cred(), (void *)(w + 1));
		err = len < 0 ? -E2BIG :
		      krg_rpc_call(node, KRG_RPC_HA_TAG, w, sizeof(*w) + len,
				   reply, KRG_RPC_TIMEOUT);
		kfree(w);
	}
	if (err) {
		snprintf(msg, size, "node %d did not tag pid %d", node, pid);
		return err;
	}
	err = read_reply(reply, msg, size);
	if (err)
		krg_rpc_reply_free(reply);
	return err;
}

/*
 * Tag @pid's subtree where it runs: the node the directory names, or,
 * when the directory cannot tell (the PID's home is down), each online
 * node until one runs it. Return that node, or -errno.
 */
static int tag_where(u32 id, pid_t pid, bool capture,
		     struct krg_rpc_reply *reply, char *msg, size_t size)
{
	struct krg_nodemask online;
	int node = krg_locate(pid), err = -ESRCH;

	if (node >= 0) {
		err = tag_on(node, id, pid, capture, reply, msg, size);
		return err ?: node;
	}
	if (node == -ESRCH) {
		snprintf(msg, size, "no process %d in the cluster", pid);
		return -ESRCH;
	}
	krg_nodes_online(&online);
	for_each_krg_node(node, &online) {
		err = tag_on(node, id, pid, capture, reply, msg, size);
		if (err != -ESRCH)
			return err ?: node;
	}
	snprintf(msg, size, "no process %d in the cluster", pid);
	return -ESRCH;
}

/**
 * ha_tag_attach - tag the tree of @root for application @root
 * @owner: the root's real uid
 * @footprint: the nodes that run a part of the tree
 * @launch: the launch record (kvmalloc()ed), @launch_len its length
 *
 * Return: 0, or an errno with the reason in @msg. The caller needs the
 * rights a checkpoint of @root needs.
 */
int ha_tag_attach(pid_t root, u32 *owner, struct krg_nodemask *footprint,
		  void **launch, u32 *launch_len, char *msg, size_t size)
{
	struct krg_rpc_reply reply;
	const struct tag_reply *r;
	pid_t *todo;
	int n = 0, done, node, err = 0;
	u32 i, nr_away;

	todo = kvcalloc(TAG_MAX_AWAY + 1, sizeof(*todo), GFP_KERNEL);
	if (!todo)
		return -ENOMEM;
	krg_nodemask_clear(footprint);
	todo[n++] = root;
	for (done = 0; done < n && !err; done++) {
		node = tag_where(root, todo[done], !done, &reply, msg, size);
		if (node < 0) {
			err = node;
			break;
		}
		r = reply.data;
		krg_node_set(node, footprint);
		nr_away = le32_to_cpu(r->nr_away);
		if (!done) {
			*owner = le32_to_cpu(r->owner);
			*launch_len = le32_to_cpu(r->launch_len);
			*launch = kvmemdup(&r->away[nr_away], *launch_len,
					   GFP_KERNEL);
			if (!*launch)
				err = -ENOMEM;
		}
		for (i = 0; i < nr_away && !err; i++) {
			if (n > TAG_MAX_AWAY) {
				snprintf(msg, size,
					 "pid %d has more than %d descendants on other nodes",
					 root, TAG_MAX_AWAY);
				err = -E2BIG;
			} else {
				todo[n++] = le32_to_cpu(r->away[i]);
			}
		}
		krg_rpc_reply_free(&reply);
	}
	kvfree(todo);
	if (err && done) {
		kvfree(*launch);
		*launch = NULL;
	}
	return err;
}

/* Tag a PID no node allocates early, as root. */
static const struct {
	struct tag_wire w;
	struct krg_img_creds creds;
} __packed tag_sample = {
	.w.id = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
	.w.pid = cpu_to_le32(KRG_PID_LOCAL_MAX | 1 << KRG_PID_NODE_SHIFT),
};

static const struct krg_rpc_service tag_service = {
	.type = KRG_RPC_HA_TAG,
	.name = "ha tag",
	.handler = tag_handler,
	.sample = &tag_sample,
	.sample_len = sizeof(tag_sample),
};

int ha_tag_init(void)
{
	return krg_rpc_register(&tag_service);
}
