// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel-side fuzzer of krg RPC, for debug kernels (CONFIG_KRG_RPC_FUZZ).
 * User space cannot reach krg's RPC service (patch 0013), so frames from a
 * buggy or compromised kernel can only be tried from a kernel:
 *
 *   echo "NODE COUNT SEED" > /sys/kernel/debug/krg/rpc_fuzz
 *   cat /sys/kernel/debug/krg/rpc_fuzz
 *
 * sends COUNT frames to NODE's service from a kernel port of this node:
 * requests and one-way messages of every type served here, with random
 * payloads or mutations of the type's well-formed sample (struct
 * krg_rpc_service: each layer gives its own), and frames with mutated
 * headers: bad magic, versions and kinds, lengths that do not add up,
 * streams cut short or out of order, another sender's node id, replies
 * sent as requests. Then it checks that NODE still answers a ping. The
 * target must neither oops nor leak, and must keep serving; the harness
 * checks its log and kmemleak.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <krg/node.h>
#include <krg/rpc.h>
#include "comm.h"
#include "rpc_internal.h"

#define FUZZ_MAX_PAYLOAD	8192

struct fuzz_run {
	struct rnd_state rnd;
	struct socket *sock;
	struct sockaddr_tipc dest;
	u8 *buf;
	u8 types[KRG_RPC_NR_TYPES];	/* served on this node */
	unsigned int ntypes;
	u64 id;
	unsigned long sent, replies, send_errors;
};

static DEFINE_MUTEX(fuzz_lock);
static char last[160] = "no run yet\n";

static u32 rnd(struct fuzz_run *f)
{
	return prandom_u32_state(&f->rnd);
}

/* Random bytes, with runs of zeros and 0xff that parsers care about. */
static void fill(struct fuzz_run *f, u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rnd(f) % 4 ? rnd(f) : (rnd(f) & 1 ? 0 : 0xff);
}

static u32 pick_len(struct fuzz_run *f, u32 frag)
{
	switch (rnd(f) % 6) {
	case 0:
		return 0;
	case 1:
		return frag;
	case 2:
		return frag + rnd(f) % 200000;
	case 3:
		return KRG_RPC_MAX_MSG + rnd(f) % 2;
	default:
		return rnd(f);
	}
}

static int xmit(struct fuzz_run *f, size_t len)
{
	struct kvec iov = { .iov_base = f->buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &f->dest,
		.msg_namelen = sizeof(f->dest),
		.msg_flags = MSG_DONTWAIT,
	};
	int err = kernel_sendmsg(f->sock, &msg, &iov, 1, len);

	if (err < 0)
		f->send_errors++;
	else
		f->sent++;
	return err < 0 ? err : 0;
}

/* Take the replies and returned frames queued to us meanwhile. */
static void drain(struct fuzz_run *f)
{
	struct kvec iov = { .iov_base = f->buf, .iov_len = KRG_RPC_MAX_FRAME };
	struct msghdr msg = {};

	while (kernel_recvmsg(f->sock, &msg, &iov, 1, KRG_RPC_MAX_FRAME,
			      MSG_DONTWAIT) >= 0) {
		f->replies++;
		memset(&msg, 0, sizeof(msg));
	}
}

/* Random bytes, or the sample of @type with a few bytes changed. */
static u32 payload(struct fuzz_run *f, u16 type, u8 *p)
{
	int n = rnd(f) % 2 ? rpc_service_sample(type, p, FUZZ_MAX_PAYLOAD) :
			     -ENOENT;
	u32 len, i;

	if (n <= 0) {
		len = rnd(f) % FUZZ_MAX_PAYLOAD;
		fill(f, p, len);
		return len;
	}
	for (i = rnd(f) % 9; i > 0; i--)
		p[rnd(f) % n] = rnd(f);
	switch (rnd(f) % 4) {
	case 0:		/* cut short */
		return rnd(f) % n;
	case 1:		/* with more after it */
		len = min_t(u32, FUZZ_MAX_PAYLOAD, n + 1 + rnd(f) % 64);
		fill(f, p + n, len - n);
		return len;
	default:
		return n;
	}
}

/* The types served on this node: the peer runs the same kernel. */
static void served_types(struct fuzz_run *f)
{
	u8 probe;
	u16 t;

	BUILD_BUG_ON(KRG_RPC_NR_TYPES > 256);
	for (t = 1; t < KRG_RPC_NR_TYPES; t++)
		if (rpc_service_sample(t, &probe, 0) >= 0)
			f->types[f->ntypes++] = t;
}

static void one(struct fuzz_run *f, u32 self)
{
	struct krg_rpc_frame fr = {
		.kind = rnd(f) % 4 ? KRG_RPC_REQUEST :
			rnd(f) % 2 ? KRG_RPC_ONEWAY : KRG_RPC_REPLY,
		.type = rnd(f) % 8 ? f->types[rnd(f) % f->ntypes] :
			rnd(f) % KRG_RPC_NR_TYPES,
		.src_node = rnd(f) % 8 ? self : rnd(f) % (KRG_MAX_NODES + 4),
		.id = rnd(f) % 4 ? ++f->id : f->id,
	};
	u8 *p = f->buf + KRG_RPC_HDR_LEN;
	u32 len = payload(f, fr.type, p), n, i;

	fr.total_len = len;
	fr.frag_len = len;
	switch (rnd(f) % 8) {
	case 0:		/* lengths and offsets that do not add up */
		fr.total_len = pick_len(f, len);
		fr.offset = rnd(f) % 2 ? 0 : rnd(f) % (fr.total_len | 1);
		break;
	case 1:		/* a stream cut short, or sent out of order */
		fr.total_len = len + 1 + rnd(f) % 300000;
		n = 1 + rnd(f) % 3;
		for (i = 0; i < n; i++) {
			fr.offset = rnd(f) % 2 ? i * len : rnd(f) % fr.total_len;
			fr.frag_len = min(len, fr.total_len - fr.offset);
			krg_rpc_hdr_pack((struct krg_rpc_hdr *)f->buf, &fr);
			xmit(f, KRG_RPC_HDR_LEN + fr.frag_len);
		}
		return;
	case 2:		/* a status where none belongs */
		fr.status = rnd(f);
		break;
	default:	/* a well-formed frame */
		break;
	}
	krg_rpc_hdr_pack((struct krg_rpc_hdr *)f->buf, &fr);
	if (rnd(f) % 16 == 0)		/* bad magic or version */
		f->buf[rnd(f) % 8] ^= 1 << (rnd(f) % 8);
	xmit(f, KRG_RPC_HDR_LEN + len - rnd(f) % 2 * min_t(u32, len, rnd(f) % 4));
}

static int run(int node, unsigned long count, u64 seed)
{
	struct fuzz_run f = {};
	unsigned long i;
	u64 ns;
	int err, alive;

	if (!krg_node_valid(node) || !count || count > 10000000)
		return -EINVAL;
	prandom_seed_state(&f.rnd, seed);
	f.buf = kvmalloc(KRG_RPC_MAX_FRAME + RPC_CONTROL_LEN, GFP_KERNEL);
	if (!f.buf)
		return -ENOMEM;
	err = rpc_socket_create(&f.sock);
	if (err) {
		kvfree(f.buf);
		return err;
	}
	rpc_service_addr(&f.dest, node);
	served_types(&f);
	if (!f.ntypes) {		/* ping failed to register: no RPC */
		sock_release(f.sock);
		kvfree(f.buf);
		return -ENODEV;
	}
	for (i = 0; i < count; i++) {
		one(&f, krg_node_id);
		if (i % 64 == 0) {
			drain(&f);
			cond_resched();
		}
	}
	drain(&f);
	sock_release(f.sock);
	kvfree(f.buf);
	/* Still serving? Abandoned streams may hold its budget for a while. */
	alive = krg_rpc_ping(node, KRG_RPC_PING, 1000, 3, 60 * HZ, &ns);
	snprintf(last, sizeof(last),
		 "node %d seed %llu: %lu rounds, %lu frames sent, %lu send errors, %lu replies, ping after: %d\n",
		 node, seed, count, f.sent, f.send_errors, f.replies, alive);
	pr_info("rpc fuzz: %s", last);
	return 0;
}

static ssize_t fuzz_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *pos)
{
	unsigned long count;
	char buf[64];
	u64 seed;
	int node, err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%d %lu %llu", &node, &count, &seed) != 3)
		return -EINVAL;
	mutex_lock(&fuzz_lock);
	err = run(node, count, seed);
	mutex_unlock(&fuzz_lock);
	return err ?: len;
}

static ssize_t fuzz_read(struct file *file, char __user *ubuf, size_t len,
			 loff_t *pos)
{
	ssize_t n;

	mutex_lock(&fuzz_lock);
	n = simple_read_from_buffer(ubuf, len, pos, last, strlen(last));
	mutex_unlock(&fuzz_lock);
	return n;
}

static const struct file_operations fuzz_fops = {
	.owner = THIS_MODULE,
	.write = fuzz_write,
	.read = fuzz_read,
	.llseek = default_llseek,
};

int krg_rpc_fuzz_init(void)
{
	struct dentry *dir = debugfs_create_dir("krg", NULL);

	debugfs_create_file("rpc_fuzz", 0600, dir, NULL, &fuzz_fops);
	return 0;
}
