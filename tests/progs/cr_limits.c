/*
 * cr_limits MODE: state at the edge of what a checkpoint saves.
 *   epoll N   an epoll set watching N eventfds; 2048 are saved, more are
 *             refused. After the restart each one must still be watched.
 *   pipe      a pipe of 2 MiB (over the 1 MiB an image carries): refused.
 *   signals   1100 queued real-time signals (over 1024): refused.
 *   oob       a unix stream pair with an out-of-band byte queued: refused.
 *   pair      a unix stream pair holding 17 MiB (over 16): refused.
 *   lease     a read lease on a file of /tmp: refused.
 *   locks     1025 POSIX locks (over 1024): refused.
 *   outside   a pipe its parent, outside the tree, holds too (the same
 *             open files, inherited by fork()): refused. The parent only
 *             waits for it.
 *   traced    a child it traces, held in a ptrace stop (TRACED PID): the
 *             child never reaches its boundary, its checkpoint times out.
 * It says READY, waits for SIGUSR1 and checks that what it set up is as
 * it was: a refused checkpoint must leave the process untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/sockios.h>

#define PAIR_BYTES	(17 << 20)
#include "cr_common.h"

static int watch_many(int n)
{
	struct rlimit nofile = { n + 64, n + 64 };
	struct epoll_event ev = { .events = EPOLLIN };
	int ep, i, fd;

	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return -1;
	ep = epoll_create1(0);
	for (i = 0; i < n; i++) {
		fd = eventfd(0, EFD_NONBLOCK);
		ev.data.u64 = 1000000 + i;
		if (fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -1;
	}
	return ep;
}

/* Every eventfd (fds ep+1 ..) becomes readable: each shows up once. */
static void check_watched(int ep, int n)
{
	struct epoll_event *evs = calloc(n + 1, sizeof(*evs));
	char *seen = calloc(n, 1);
	uint64_t one = 1, k;
	int i, got, bad = 0;

	for (i = 0; i < n; i++)
		if (write(ep + 1 + i, &one, sizeof(one)) != sizeof(one))
			bad++;
	got = epoll_wait(ep, evs, n + 1, 1000);
	for (i = 0; i < got; i++) {
		k = evs[i].data.u64 - 1000000;
		if (k >= (uint64_t)n || seen[k]++)
			bad++;
	}
	cr_check(got == n && !bad, "epoll: %d of %d fds ready, %d bad", got, n, bad);
	free(seen);
	free(evs);
}

int main(int argc, char **argv)
{
	int ep = -1, n = 0, p[2], i;
	union sigval v = { 0 };
	sigset_t rt;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "epoll") && argc > 2) {
		n = atoi(argv[2]);
		ep = watch_many(n);
		if (ep < 0) {
			perror("epoll");
			return 2;
		}
	} else if (!strcmp(argv[1], "pipe")) {
		if (pipe(p) < 0 || fcntl(p[1], F_SETPIPE_SZ, 2 << 20) < 0 ||
		    write(p[1], "0123456789", 10) != 10) {
			perror("pipe");
			return 2;
		}
	} else if (!strcmp(argv[1], "signals")) {
		struct rlimit queued = { 4096, 4096 };

		setrlimit(RLIMIT_SIGPENDING, &queued);
		sigemptyset(&rt);
		sigaddset(&rt, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &rt, NULL);
		for (i = 0; i < 1100; i++)
			if (sigqueue(getpid(), SIGRTMIN, v) < 0) {
				perror("sigqueue");
				return 2;
			}
	} else if (!strcmp(argv[1], "oob")) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 ||
		    send(p[0], "!", 1, MSG_OOB) != 1) {
			perror("oob");
			return 2;
		}
	} else if (!strcmp(argv[1], "pair")) {
		static char mib[1 << 20];
		int size = 2 * PAIR_BYTES;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 ||
		    setsockopt(p[0], SOL_SOCKET, SO_SNDBUFFORCE, &size,
			       sizeof(size)) < 0) {
			perror("pair");
			return 2;
		}
		for (i = 0; i < PAIR_BYTES; i += sizeof(mib))
			if (write(p[0], mib, sizeof(mib)) != sizeof(mib)) {
				perror("pair write");
				return 2;
			}
	} else if (!strcmp(argv[1], "lease")) {
		p[0] = open("/tmp/cr_limits.lease", O_RDONLY | O_CREAT, 0600);
		if (p[0] < 0 || fcntl(p[0], F_SETLEASE, F_RDLCK) < 0) {
			perror("lease");
			return 2;
		}
	} else if (!strcmp(argv[1], "locks")) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_len = 1 };

		p[0] = open("/tmp/cr_limits.locks", O_RDWR | O_CREAT, 0600);
		for (i = 0; i < 1025; i++) {
			fl.l_start = 2 * i;	/* apart: none merges */
			if (fcntl(p[0], F_SETLK, &fl) < 0) {
				perror("locks");
				return 2;
			}
		}
	} else if (!strcmp(argv[1], "outside")) {
		if (pipe(p) < 0) {
			perror("pipe");
			return 2;
		}
		n = fork();
		if (n > 0)
			return waitpid(n, &i, 0) == n && WIFEXITED(i) ?
			       WEXITSTATUS(i) : 1;
		n = 0;
	} else if (!strcmp(argv[1], "traced")) {
		n = fork();
		if (n == 0)
			for (;;)
				pause();
		if (ptrace(PTRACE_SEIZE, n, 0, 0) < 0 ||
		    ptrace(PTRACE_INTERRUPT, n, 0, 0) < 0 ||
		    waitpid(n, &i, 0) != n) {
			perror("ptrace");
			return 2;
		}
		printf("TRACED %d\n", n);
	} else {
		return 2;
	}

	cr_ready_and_wait();
	if (!strcmp(argv[1], "traced")) {
		kill(n, SIGKILL);
		cr_check(waitpid(n, &i, 0) == n, "traced child reaped");
		n = 0;
	}

	if (ep >= 0)
		check_watched(ep, n);
	if (!strcmp(argv[1], "oob")) {
		char c = 0;

		cr_check(recv(p[1], &c, 1, MSG_OOB) == 1 && c == '!',
			 "the out-of-band byte is still there");
	}
	if (!strcmp(argv[1], "lease"))
		cr_check(fcntl(p[0], F_GETLEASE) == F_RDLCK, "the lease is kept");
	if (!strcmp(argv[1], "pair"))
		cr_check(ioctl(p[1], SIOCINQ, &n) == 0 && n == PAIR_BYTES,
			 "%d bytes still queued", n);
	if (!strcmp(argv[1], "pipe")) {
		char buf[16] = "";

		cr_check(fcntl(p[1], F_GETPIPE_SZ) == 2 << 20, "pipe size kept");
		cr_check(read(p[0], buf, sizeof(buf)) == 10 &&
			 !memcmp(buf, "0123456789", 10), "pipe bytes kept");
	}
	if (!strcmp(argv[1], "signals")) {
		struct timespec now = { 0 };

		for (n = 0; sigtimedwait(&rt, NULL, &now) == SIGRTMIN; n++)
			;
		cr_check(n == 1100, "%d of 1100 signals still pending", n);
	}
	if (!strcmp(argv[1], "locks")) {
		/* Another process sees every lock still held by us. */
		pid_t kid = fork();

		if (kid == 0) {
			struct flock q = { .l_whence = SEEK_SET, .l_len = 1 };
			int held = 0;

			for (i = 0; i < 1025; i++) {
				q.l_type = F_WRLCK;
				q.l_start = 2 * i;
				held += !fcntl(p[0], F_GETLK, &q) &&
					q.l_type == F_WRLCK && q.l_pid == getppid();
			}
			_exit(held == 1025 ? 0 : 1);
		}
		cr_check(kid > 0 && waitpid(kid, &i, 0) == kid && WIFEXITED(i) &&
			 !WEXITSTATUS(i), "all 1025 locks still held");
	}
	if (!strcmp(argv[1], "outside")) {
		char c = 0;

		cr_check(write(p[1], "x", 1) == 1 && read(p[0], &c, 1) == 1 &&
			 c == 'x', "the shared pipe still carries bytes");
	}
	return cr_done();
}
