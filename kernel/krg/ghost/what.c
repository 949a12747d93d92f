// SPDX-License-Identifier: GPL-2.0
/*
 * What a file is, in words, for the refusals that name it: "fd 3
 * (socket:[1234]): an inet socket cannot be checkpointed" says what to
 * close, where a path alone would not.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/sock.h>
#include <krg/ghost_what.h>

static const char *socket_what(struct file *file)
{
	struct socket *sock = SOCKET_I(file_inode(file));

	switch (sock->sk ? sock->sk->sk_family : AF_UNSPEC) {
	case AF_INET:
	case AF_INET6:
		return "an inet socket";
	case AF_UNIX:
		return "a unix socket bound to a name, or not in a pair of the tree";
	case AF_NETLINK:
		return "a netlink socket";
	case AF_PACKET:
		return "a packet socket";
	case AF_TIPC:
		return "a TIPC socket";
	}
	return "a socket";
}

/* Of an internal file system, by its name or its file system's. */
static const char *internal_what(struct file *file)
{
	const char *name = file->f_path.dentry->d_name.name;
	const char *fs = file_inode(file)->i_sb->s_type->name;
	static const struct {
		const char *prefix, *what;
	} names[] = {
		{ "SYSV", "SysV shared memory" },
		{ "memfd:", "a huge-page memfd" },
		{ "[aio]", "an aio context" },
		{ "[io_uring]", "an io_uring instance" },
		{ "[fanotify]", "a fanotify instance" },
		{ "[userfaultfd]", "a userfaultfd" },
		{ "[pidfd]", "a pidfd" },
		{ "seccomp notify", "a seccomp notification listener" },
		{ "[perf_event]", "a perf event" },
		{ "bpf", "a BPF object" },
	};
	size_t i;

	if (!strcmp(fs, "mqueue"))
		return "a POSIX message queue";
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncmp(name, names[i].prefix, strlen(names[i].prefix)))
			return names[i].what;
	return "a kernel-internal file";
}

/**
 * ghost_what - what @file is, in a few words
 *
 * Return: a phrase ("an inet socket", "SysV shared memory", "a device"),
 * or "a file" for what has a plain path.
 */
const char *ghost_what(struct file *file)
{
	umode_t mode = file_inode(file)->i_mode;

	if (S_ISSOCK(mode))
		return socket_what(file);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (file->f_path.mnt->mnt_flags & MNT_INTERNAL)
		return internal_what(file);
	if (S_ISFIFO(mode))
		return "a FIFO or pipe with an end outside the tree";
	if (d_unlinked(file->f_path.dentry))
		return "a deleted file";
	return "a file";
}
