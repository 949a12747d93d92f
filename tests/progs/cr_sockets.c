/*
 * cr_sockets: unix socket pairs survive checkpoint/restart with what they
 * hold: a stream pair between parent and child with a half-read message
 * queued each way, a datagram pair keeping message boundaries (an empty
 * one too), a seqpacket pair shut down for writing, the options
 * SO_PASSCRED, SO_SNDBUF, SO_RCVBUF and O_NONBLOCK, and the peer
 * credentials (SO_PEERCRED) of every end, in both processes: those of the
 * parent, which made the pairs, as Linux gives them.
 * cr_sockets inflight: an fd sent over a pair is queued at checkpoint
 * time, which refuses it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "cr_common.h"

static int st[2], dg[2], sp[2];
static pid_t maker;	/* the parent: it made the pairs */

static struct ucred peercred(int fd)
{
	struct ucred c = { -1, (uid_t)-1, (gid_t)-1 };
	socklen_t len = sizeof(c);

	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len);
	return c;
}

/* SO_PEERCRED of @fd is the pair maker's, as it was (@was). */
static int peercred_kept(int fd, struct ucred was)
{
	struct ucred c = peercred(fd);

	return c.pid == was.pid && c.uid == was.uid && c.gid == was.gid &&
	       was.pid == maker && was.uid == geteuid() && was.gid == getegid();
}

/* The child: its end of the stream pair holds "ping" for it. */
static int child(void)
{
	struct ucred was = peercred(st[1]);
	char buf[16] = "";

	close(st[0]);
	if (send(st[1], "hello ", 6, 0) != 6 || send(st[1], "world", 5, 0) != 5)
		return 10;
	while (!cr_go)
		pause();
	if (recv(st[1], buf, sizeof(buf), 0) != 4 || memcmp(buf, "ping", 4))
		return 11;
	if (send(st[1], "after", 5, 0) != 5)
		return 12;
	if (!peercred_kept(st[1], was))
		return 13;
	return 0;
}

static int sockopt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, opt, &v, &len);
	return v;
}

/* Queue fd 0 in a message of @fd: what a checkpoint cannot save. */
static void send_fd(int fd)
{
	char data = 'f', control[CMSG_SPACE(sizeof(int))] = "";
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memset(CMSG_DATA(c), 0, sizeof(int));
	sendmsg(fd, &msg, 0);
}

int main(int argc, char **argv)
{
	static char big[3000], got[4000];
	int one = 1, sndbuf = 65536, rcvbuf = 50000, status, sndbuf_was;
	int rcvbuf_st_was, rcvbuf_dg_was, n_queued = 0, i;
	int *ends[5] = { &st[0], &dg[0], &dg[1], &sp[0], &sp[1] };
	struct ucred creds[5];
	char buf[16] = "";
	pid_t kid;
	ssize_t n;

	memset(big, 'x', sizeof(big));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, st) < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0)
		return 2;
	signal(SIGUSR1, cr_on_usr1);
	signal(SIGPIPE, SIG_IGN);
	maker = getpid();
	kid = fork();
	if (kid == 0)
		return child();
	close(st[1]);
	/* Read part of the child's first message: the rest stays queued. */
	if (recv(st[0], buf, 3, MSG_WAITALL) != 3)
		return 3;
	while (ioctl(st[0], FIONREAD, &n_queued) == 0 && n_queued < 8)
		usleep(1000);
	send(st[0], "ping", 4, 0);
	setsockopt(st[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	sndbuf_was = sockopt(st[0], SO_SNDBUF);
	/* Not the default (rmem_default); Linux keeps twice what is set. */
	setsockopt(st[0], SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(dg[1], SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	rcvbuf_st_was = sockopt(st[0], SO_RCVBUF);
	rcvbuf_dg_was = sockopt(dg[1], SO_RCVBUF);
	for (i = 0; i < 5; i++)
		creds[i] = peercred(*ends[i]);
	send(dg[0], "a", 1, 0);
	send(dg[0], "", 0, 0);
	send(dg[0], big, sizeof(big), 0);
	setsockopt(dg[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	fcntl(dg[1], F_SETFL, O_NONBLOCK);
	send(sp[0], "last", 4, 0);
	shutdown(sp[0], SHUT_WR);
	if (argc > 1 && !strcmp(argv[1], "inflight"))
		send_fd(sp[1]);
	printf("CHILD %d\n", kid);

	cr_ready_and_wait();

	n = recv(st[0], got, 8, MSG_WAITALL);
	cr_check(n == 8 && !memcmp(got, "lo world", 8), "stream rest '%.*s'",
		 (int)(n > 0 ? n : 0), got);
	cr_check(sockopt(st[0], SO_SNDBUF) == sndbuf_was, "SO_SNDBUF %d, was %d",
		 sockopt(st[0], SO_SNDBUF), sndbuf_was);
	cr_check(rcvbuf_st_was == 2 * rcvbuf &&
		 sockopt(st[0], SO_RCVBUF) == rcvbuf_st_was,
		 "stream SO_RCVBUF %d, was %d", sockopt(st[0], SO_RCVBUF),
		 rcvbuf_st_was);
	cr_check(rcvbuf_dg_was == 2 * rcvbuf &&
		 sockopt(dg[1], SO_RCVBUF) == rcvbuf_dg_was,
		 "datagram SO_RCVBUF %d, was %d", sockopt(dg[1], SO_RCVBUF),
		 rcvbuf_dg_was);
	for (i = 0; i < 5; i++)
		cr_check(peercred_kept(*ends[i], creds[i]),
			 "SO_PEERCRED of fd %d: pid %d uid %d gid %d, was "
			 "pid %d uid %d gid %d (maker %d)", *ends[i],
			 peercred(*ends[i]).pid, (int)peercred(*ends[i]).uid,
			 (int)peercred(*ends[i]).gid, creds[i].pid,
			 (int)creds[i].uid, (int)creds[i].gid, maker);
	cr_check(recv(dg[1], got, sizeof(got), 0) == 1 && got[0] == 'a',
		 "datagram 1");
	cr_check(recv(dg[1], got, sizeof(got), 0) == 0, "empty datagram");
	n = recv(dg[1], got, sizeof(got), 0);
	cr_check(n == sizeof(big) && !memcmp(got, big, sizeof(big)),
		 "datagram 3: %zd bytes", n);
	cr_check(recv(dg[1], got, sizeof(got), 0) < 0 && errno == EAGAIN,
		 "O_NONBLOCK");
	cr_check(sockopt(dg[1], SO_PASSCRED) == 1, "SO_PASSCRED");
	cr_check(send(dg[1], "back", 4, 0) == 4 &&
		 recv(dg[0], got, sizeof(got), 0) == 4, "datagram back");
	cr_check(recv(sp[1], got, sizeof(got), 0) == 4 && !memcmp(got, "last", 4),
		 "seqpacket message");
	cr_check(recv(sp[1], got, sizeof(got), 0) == 0, "seqpacket EOF");
	cr_check(send(sp[0], "x", 1, 0) < 0 && errno == EPIPE,
		 "seqpacket shut down for writing");
	cr_check(send(sp[1], "y", 1, 0) == 1 &&
		 recv(sp[0], got, sizeof(got), 0) == 1, "seqpacket other way");
	kill(kid, SIGUSR1);
	n = recv(st[0], got, 5, MSG_WAITALL);
	cr_check(n == 5 && !memcmp(got, "after", 5), "stream after restart");
	status = waitpid(kid, &status, 0) == kid ? status : -1;
	cr_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "child status %#x (exit 13: its SO_PEERCRED changed)", status);
	return cr_done();
}
