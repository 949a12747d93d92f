// SPDX-License-Identifier: GPL-2.0
/*
 * Unix socket pairs in a ghost. A pair of unnamed unix sockets connected
 * to each other (socketpair()) is saved when the tree holds both its ends
 * (ghost_inside()). Each fd of it says its type and end; the first one
 * in the tree also saves the pair: each end's shutdown state, options and
 * peer credentials (the process that made the pair), and the messages
 * queued to each end, boundaries kept. On restart the first task to need
 * the pair makes it; the task that has the pair's state then sets the
 * peer credentials back (a process of the tree, with ids the caller may
 * claim), sends each end's messages from the other end and shuts them
 * down. No task runs before all that is done. Fds in flight (SCM_RIGHTS)
 * and out-of-band data refuse the checkpoint: they would need the files
 * they carry.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <net/af_unix.h>
#include <net/sock.h>
#include <krg/ghost.h>
#include <krg/ghost_objs.h>
#include <krg/ghost_task.h>
#include <krg/ghost_fd.h>
#include <krg/ghost_unix.h>
#include <krg/pid.h>


struct sock *ghost_unix_of(struct file *file)
{
	struct unix_sock *u = unix_get_socket(file);

	return u ? &u->sk : NULL;
}

/* An unnamed socket, as socketpair() makes them. */
static bool unnamed(struct sock *sk)
{
	/* Pairs with the release in unix_bind(), as unix_getname() does. */
	return !smp_load_acquire(&unix_sk(sk)->addr);
}

/**
 * ghost_unix_peer_file - the other end of a socket pair
 *
 * Return: the file of the socket @file's socket is connected to, if both
 * are unnamed and connected to each other; else NULL. Only to compare:
 * no reference is taken.
 */
struct file *ghost_unix_peer_file(struct file *file)
{
	struct sock *sk = ghost_unix_of(file), *peer;
	struct file *other = NULL;

	if (!sk || !unnamed(sk))
		return NULL;
	peer = unix_peer_get(sk);
	if (!peer)
		return NULL;
	if (unnamed(peer) && unix_peer(peer) == sk) {
		/* sock_orphan() clears sk_socket under this lock. */
		read_lock_bh(&peer->sk_callback_lock);
		if (peer->sk_socket)
			other = peer->sk_socket->file;
		read_unlock_bh(&peer->sk_callback_lock);
	}
	sock_put(peer);
	return other;
}

/* One key for both ends of the pair of @sk (in the tree), and its end. */
static const void *pair_key(struct sock *sk, unsigned int *end)
{
	struct sock *peer = unix_peer_get(sk);

	if (!peer)
		return NULL;
	sock_put(peer);		/* the tree holds it */
	*end = sk > peer;
	return min(sk, peer);
}

/* Count (@lens NULL) or copy the messages queued to @sk. */
static int walk_queue(struct sock *sk, struct krg_img_unix_end *e, u32 *lens,
		      u8 *data)
{
	bool stream = sk->sk_type == SOCK_STREAM;
	u32 n = 0, bytes = 0, off, len;
	struct sk_buff *skb;
	int err = 0;

	spin_lock(&sk->sk_receive_queue.lock);
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		off = stream ? UNIXCB(skb).consumed : 0;
		len = skb->len - off;
		if (UNIXCB(skb).fp) {
			err = -EBADF;
			break;
		}
		if (stream && !len)
			continue;
		if (n == UNIX_MSGS_MAX || len > UNIX_BYTES_MAX - bytes) {
			err = -E2BIG;
			break;
		}
		if (lens) {
			if (n == e->nmsg || len > e->bytes - bytes) {
				err = -EAGAIN;	/* cannot be: the tree is frozen */
				break;
			}
			lens[n] = len;
			skb_copy_bits(skb, off, data + bytes, len);
		}
		n++;
		bytes += len;
	}
	spin_unlock(&sk->sk_receive_queue.lock);
	if (!err && !lens) {
		e->nmsg = n;
		e->bytes = bytes;
	}
	return err;
}

static void export_end(struct sock *sk, struct krg_img_unix_end *e)
{
	spin_lock(&sk->sk_peer_lock);
	if (sk->sk_peer_pid)
		e->peer_pid = pid_nr_ns(sk->sk_peer_pid, krg_pid_ns());
	if (sk->sk_peer_cred) {
		e->peer_uid = from_kuid_munged(&init_user_ns,
					       sk->sk_peer_cred->euid);
		e->peer_gid = from_kgid_munged(&init_user_ns,
					       sk->sk_peer_cred->egid);
	}
	spin_unlock(&sk->sk_peer_lock);
	e->shutdown = READ_ONCE(sk->sk_shutdown);
	e->passcred = test_bit(SOCK_PASSCRED, &sk->sk_socket->flags);
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		e->sndbuf = READ_ONCE(sk->sk_sndbuf);
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		e->rcvbuf = READ_ONCE(sk->sk_rcvbuf);
}

static int refuse(struct ghost_export *x, unsigned int fd, int err)
{
	return ghost_fail(x->msg, -EBUSY, "fd %u: a unix socket pair %s", fd,
			  err == -EBADF ? "with fds in flight" :
			  err == -E2BIG ? "holding too much" :
			  "with out-of-band data");
}

/* Save pair @id, @key its end 0; @fd is the first fd of it. */
static int export_pair(struct ghost_export *x, unsigned int fd,
		       const void *key, u32 id)
{
	struct sock *sk[2] = { (struct sock *)key, unix_peer((struct sock *)key) };
	struct krg_img_unix_pair p = { .pair = id, .type = sk[0]->sk_type };
	u32 *lens;
	size_t len;
	void *buf;
	u8 *data;
	int i, err;

	for (i = 0; i < 2; i++) {
		if (IS_ENABLED(CONFIG_AF_UNIX_OOB) &&
		    READ_ONCE(unix_sk(sk[i])->oob_skb))
			return refuse(x, fd, -ENOTCONN);
		export_end(sk[i], &p.end[i]);
		err = walk_queue(sk[i], &p.end[i], NULL, NULL);
		if (err)
			return refuse(x, fd, err);
	}
	len = sizeof(p) + sizeof(u32) * (p.end[0].nmsg + p.end[1].nmsg) +
	      p.end[0].bytes + p.end[1].bytes;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &p, sizeof(p));
	lens = buf + sizeof(p);
	data = (u8 *)(lens + p.end[0].nmsg + p.end[1].nmsg);
	err = walk_queue(sk[0], &p.end[0], lens, data);
	if (!err)
		err = walk_queue(sk[1], &p.end[1], lens + p.end[0].nmsg,
				 data + p.end[0].bytes);
	if (!err)
		err = ghost_section_write(x->g, KRG_SEC_UNIX_PAIR, buf, len);
	kvfree(buf);
	return err;
}

/**
 * export - after the FILE section of an end of a pair: which end, and the
 * pair itself if this is the first fd of it in the tree
 */
static int export(struct ghost_export *x, struct ghost_fd_out *o)
{
	const struct sock *key = o->shared;	/* pair_key() */
	struct krg_img_unix_file f = {
		.type = key->sk_type,
		.end = o->end,
	};
	int err = ghost_section_write(x->g, KRG_SEC_FILE_STATE, &f, sizeof(f));

	return err || !o->first_shared ? err :
	       export_pair(x, o->fd, key, o->img.shared);
}

/* What an skb costs beyond its data, rounded up. */
#define SKB_COST	1024

/*
 * The messages queued to the other end of @from: sent again from @from.
 * They count against @from's send buffer, as they did before: it may grow
 * for them up to what the sender's buffer could be (its size in the
 * image, or the most SO_SNDBUF gives), never more.
 */
static int refill(struct socket *from, const u32 *lens, u32 n, u32 bytes,
		  const u8 *data)
{
	struct sock *sk = from->sk;
	int sndbuf = READ_ONCE(sk->sk_sndbuf);
	u64 need = bytes + (u64)n * SKB_COST;
	struct msghdr msg;
	struct kvec v;
	int sent = 0;
	u32 i;

	if (need > max_t(u64, sndbuf, 2ULL * READ_ONCE(sysctl_wmem_max)) +
		   (64 << 10))
		return -ENOBUFS;
	WRITE_ONCE(sk->sk_sndbuf, max_t(u64, sndbuf, need));
	for (i = 0; i < n && sent >= 0; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_flags = MSG_DONTWAIT;
		v.iov_base = (void *)data;
		v.iov_len = lens[i];
		sent = kernel_sendmsg(from, &msg, &v, 1, lens[i]);
		if (sent >= 0 && sent != lens[i])
			sent = -ENOSPC;
		data += lens[i];
	}
	WRITE_ONCE(sk->sk_sndbuf, sndbuf);
	return sent < 0 ? sent : 0;
}

static int set_int(struct socket *s, int opt, int val)
{
	return sk_setsockopt(s->sk, SOL_SOCKET, opt, KERNEL_SOCKPTR(&val),
			     sizeof(val));
}

static int import_end(struct socket *s, const struct krg_img_unix_end *e)
{
	int err = set_int(s, SO_PASSCRED, e->passcred);

	/* SO_SNDBUF and SO_RCVBUF double what they are given. */
	if (!err && e->sndbuf)
		err = set_int(s, SO_SNDBUF, e->sndbuf / 2);
	if (!err && e->rcvbuf)
		err = set_int(s, SO_RCVBUF, e->rcvbuf / 2);
	return err;
}

static bool bad_type(u32 type)
{
	return type != SOCK_STREAM && type != SOCK_DGRAM &&
	       type != SOCK_SEQPACKET;
}

/* For ghost_objs_get(): a new pair of type *@arg, connected. */
static int make_pair(void *arg, struct file **files)
{
	struct socket *s[2] = {};
	int i, err;

	for (i = 0; i < 2; i++) {
		err = sock_create(AF_UNIX, *(u32 *)arg, 0, &s[i]);
		if (err)
			goto out;
	}
	err = security_socket_socketpair(s[0], s[1]);
	if (!err)
		err = s[0]->ops->socketpair(s[0], s[1]);
	for (i = 0; i < 2 && !err; i++) {
		files[i] = sock_alloc_file(s[i], 0, NULL);
		s[i] = NULL;	/* the file has it, or released it */
		if (IS_ERR(files[i])) {
			err = PTR_ERR(files[i]);
			files[i] = NULL;
		}
	}
out:
	for (i = 0; i < 2; i++) {
		if (s[i])
			sock_release(s[i]);
		if (err && files[i]) {
			fput(files[i]);
			files[i] = NULL;
		}
	}
	return err;
}

/**
 * reopen - the file of a KRG_FILE_UNIX fd
 * @pair: its pair's number, made if new
 * @state: its FILE_STATE, a struct krg_img_unix_file
 * @file: gets the file of its end, with a reference
 */
static int reopen(struct ghost_objs *objs, u32 pair, const void *state,
		  u32 len, struct file **file)
{
	const struct krg_img_unix_file *f = state;
	struct file *ends[2];
	u32 type;
	int err;

	if (len != sizeof(*f) || bad_type(f->type) || f->end > 1)
		return -EINVAL;
	type = f->type;
	err = ghost_objs_get(objs, pair, GHOST_OBJ_UNIX_PAIR, make_pair, &type,
			     ends);
	if (err)
		return err;
	if (SOCKET_I(file_inode(ends[0]))->type != type) {
		fput(ends[0]);
		fput(ends[1]);
		return -EINVAL;
	}
	file[0] = ends[f->end];
	file[1] = NULL;
	fput(ends[!f->end]);
	return 0;
}

static bool in_tree(const struct ghost_import *m, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < m->ntree; i++)
		if (m->tree[i] == pid)
			return true;
	return false;
}

/*
 * SO_PEERCRED of @sk, as its maker's when the pair was made: a process of
 * the tree, with ids the caller may claim (any, with CAP_SYS_ADMIN), or
 * the restarted process that made it again.
 */
static int set_peer(struct ghost_import *m, struct sock *sk,
		    const struct krg_img_unix_end *e)
{
	kuid_t uid = make_kuid(&init_user_ns, e->peer_uid);
	kgid_t gid = make_kgid(&init_user_ns, e->peer_gid);
	const struct cred *old_cred;
	struct pid *pid, *old_pid;
	struct cred *cred;

	if (!e->peer_pid)
		return 0;
	if (!in_tree(m, e->peer_pid) || !uid_valid(uid) || !gid_valid(gid) ||
	    (!m->privileged && !ghost_creds_ids_allowed(m->caller, uid, gid)))
		return -EPERM;
	rcu_read_lock();
	pid = get_pid(find_vpid(e->peer_pid));
	rcu_read_unlock();
	cred = prepare_creds();
	if (!pid || !cred) {
		put_pid(pid);
		if (cred)
			abort_creds(cred);
		return pid ? -ENOMEM : -ESRCH;
	}
	cred->uid = cred->euid = cred->suid = cred->fsuid = uid;
	cred->gid = cred->egid = cred->sgid = cred->fsgid = gid;
	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = pid;
	sk->sk_peer_cred = cred;
	spin_unlock(&sk->sk_peer_lock);
	put_pid(old_pid);
	put_cred(old_cred);
	return 0;
}

/* Give the made pair its state: the messages first, then shutdowns. */
static int import_state(struct ghost_import *m,
			const struct krg_img_unix_pair *p, const u32 *lens,
			const u8 *data, struct file **ends)
{
	struct socket *s[2] = { SOCKET_I(file_inode(ends[0])),
				SOCKET_I(file_inode(ends[1])) };
	int i, err = 0;

	/* Buffer sizes first: the messages are sent within them. */
	for (i = 0; i < 2 && !err; i++)
		err = import_end(s[i], &p->end[i]);
	for (i = 0; i < 2 && !err; i++)
		err = set_peer(m, s[i]->sk, &p->end[i]);
	if (!err)
		err = refill(s[1], lens, p->end[0].nmsg, p->end[0].bytes, data);
	if (!err)
		err = refill(s[0], lens + p->end[0].nmsg, p->end[1].nmsg,
			     p->end[1].bytes, data + p->end[0].bytes);
	/* 1, 2, 3: SHUT_RD, SHUT_WR, SHUT_RDWR */
	for (i = 0; i < 2 && !err; i++)
		if (p->end[i].shutdown)
			err = kernel_sock_shutdown(s[i], p->end[i].shutdown - 1);
	return err;
}

static bool bad_end(const struct krg_img_unix_end *e)
{
	return e->shutdown > SHUTDOWN_MASK || e->passcred > 1 ||
	       e->nmsg > UNIX_MSGS_MAX || e->bytes > UNIX_BYTES_MAX ||
	       e->sndbuf > INT_MAX || e->rcvbuf > INT_MAX || e->peer_pid < 0;
}

/* The messages of one end: their lengths add up, none empty in a stream. */
static bool bad_lens(const u32 *lens, const struct krg_img_unix_end *e,
		     bool stream)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < e->nmsg; i++) {
		if (stream && !lens[i])
			return true;
		sum += lens[i];
	}
	return sum != e->bytes;
}

/* A UNIX_PAIR section, just taken: the state of a pair made already. */
static int import_pair(struct ghost_import *m)
{
	const struct krg_img_unix_pair *p = m->data;
	const u32 *lens = (const u32 *)(p + 1);
	struct file *ends[2];
	u64 len = sizeof(*p);
	int err;

	if (bad_end(&p->end[0]) || bad_end(&p->end[1]))
		return ghost_fail(m->msg, -EINVAL, "bad unix socket pair %u",
				  p->pair);
	len += sizeof(u32) * ((u64)p->end[0].nmsg + p->end[1].nmsg) +
	       p->end[0].bytes + p->end[1].bytes;
	/* Lengths are read only once the section is known to hold them. */
	if (bad_type(p->type) || len != m->len ||
	    bad_lens(lens, &p->end[0], p->type == SOCK_STREAM) ||
	    bad_lens(lens + p->end[0].nmsg, &p->end[1],
		     p->type == SOCK_STREAM))
		return ghost_fail(m->msg, -EINVAL, "bad unix socket pair %u",
				  p->pair);
	/* Once, into the pair its first fd made. */
	err = ghost_objs_content(m->objs, p->pair, GHOST_OBJ_UNIX_PAIR, true,
				 ends);
	if (err)
		return ghost_fail(m->msg, err, "no unix socket pair %u, or twice",
				  p->pair);
	if (SOCKET_I(file_inode(ends[0]))->type != p->type)
		err = -EINVAL;
	else
		err = import_state(m, p, lens, (const u8 *)(lens + p->end[0].nmsg +
							 p->end[1].nmsg), ends);
	fput(ends[0]);
	fput(ends[1]);
	return err ? ghost_fail(m->msg, err, "cannot refill unix socket pair %u",
				p->pair) : 0;
}

/* An end of a socket pair whose both ends the tree holds. */
static int claim(struct ghost_export *x, struct ghost_fd_out *o)
{
	struct sock *sk = ghost_unix_of(o->file);

	if (!sk || !ghost_objs_find(x->inside, sk))
		return 0;
	o->shared = pair_key(sk, &o->end);
	if (!o->shared)
		return -EAGAIN;		/* cannot be: the tree is frozen */
	o->img.kind = KRG_FILE_UNIX;
	o->img.pos = 0;
	return 1;
}

static int make(struct ghost_fd_in *in, struct file **files)
{
	int err = reopen(in->objs, in->img->shared, in->state, in->state_len,
			 files);

	if (!err)
		files[0]->f_flags |= in->img->flags & O_NONBLOCK;
	return err;
}

const struct ghost_fd_kind ghost_unix_fds = {
	.name = "unix socket pair",
	.kinds = BIT(KRG_FILE_UNIX),
	.carries = GHOST_FD_SHARED | GHOST_FD_STATE,
	.claim = claim,
	.export = export,
	.make = make,
	.content = KRG_SEC_UNIX_PAIR,
	.content_min = sizeof(struct krg_img_unix_pair),
	.content_max = GHOST_UNIX_PAIR_MAX,
	.import_content = import_pair,
};
