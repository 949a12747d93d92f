/*
 * cr_fdstate DIR: what real programs do with their files survives
 * checkpoint and restart:
 *   - a pipe whose read end signals SIGRTMIN+2 to us on input (F_SETOWN,
 *     F_SETSIG, O_ASYNC), and keeps its file flags exactly;
 *   - an epoll set watching a file through an fd that was dup()ed and
 *     closed since;
 *   - a file deleted while open, of mode 0645 and a size past its data,
 *     in /tmp (another user's, set-user-ID) and in DIR (the shared file
 *     system, 9p in the test bed);
 *   - a file mapped shared by us and a child, then deleted: memory they
 *     still share;
 *   - flock(), POSIX and OFD locks on one file at once.
 * It prints READY, waits for SIGUSR1, checks, prints PASS or FAIL.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cr_common.h"

#define SIZE	(3 << 20)	/* of the deleted files: past their data */

static volatile sig_atomic_t io_signals;

static void on_io(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (si->si_code == POLL_IN)
		io_signals++;
}

/* A file with some bytes, of @mode and @uid, deleted at once: its fd. */
static int deleted(const char *dir, const char *name, mode_t mode, uid_t uid)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pwrite(fd, "deleted data", 12, 4096) != 12 || ftruncate(fd, SIZE) ||
	    (uid && fchown(fd, uid, uid)) || fchmod(fd, mode) || unlink(path))
		return -1;
	return fd;
}

static void check_deleted(int fd, const char *where, mode_t mode, uid_t uid)
{
	struct stat st = { 0 };
	char buf[16] = "";
	/* Before cr_check(): its arguments may be read before its test. */
	int got = fstat(fd, &st) == 0;

	cr_check(got && st.st_mode == (S_IFREG | mode) &&
		 st.st_size == SIZE && st.st_nlink == 0 && st.st_uid == uid &&
		 st.st_gid == uid,
		 "deleted file in %s: mode %o size %lld links %ld owner %d:%d", where,
		 st.st_mode, (long long)st.st_size, (long)st.st_nlink, st.st_uid,
		 st.st_gid);
	cr_check(pread(fd, buf, 12, 4096) == 12 && !memcmp(buf, "deleted data", 12),
		 "deleted file in %s: content", where);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_io, .sa_flags = SA_SIGINFO };
	struct f_owner_ex owner = { .type = F_OWNER_PID, .pid = getpid() };
	struct flock posix = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0,
			       .l_len = 10 };
	struct flock ofd = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100,
			     .l_len = 10 };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 77 }, got;
	int io[2], ep, watched[2], moved, tmp, shared_fd, locked, lockfd2, flags;
	char path[512], c;
	volatile int *map;
	pid_t kid;
	int st;

	if (argc < 2)
		return 2;
	sigaction(SIGRTMIN + 2, &sa, NULL);
	/* Pipe with a SIGIO owner, signal and O_ASYNC, and O_NONBLOCK. */
	if (pipe(io) || fcntl(io[0], F_SETOWN_EX, &owner) ||
	    fcntl(io[0], F_SETSIG, SIGRTMIN + 2) ||
	    fcntl(io[0], F_SETFL, O_ASYNC | O_NONBLOCK))
		return 2;
	flags = fcntl(io[0], F_GETFL);
	/* An epoll watch through an fd closed since. */
	if (pipe(watched) || (ep = epoll_create1(0)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, watched[0], &ev) ||
	    (moved = dup(watched[0])) < 0 || close(watched[0]))
		return 2;
	/* Deleted files, here and on the shared file system. */
	/* In /tmp, another user's and set-user-ID: it stays both. */
	tmp = deleted("/tmp", "cr_fdstate.deleted", 04645, 1000);
	shared_fd = deleted(argv[1], "cr_fdstate.deleted", 0645, 0);
	if (tmp < 0 || shared_fd < 0) {
		perror("deleted");
		return 2;
	}
	/* Shared memory through a deleted file, with a child. */
	snprintf(path, sizeof(path), "/tmp/cr_fdstate.map");
	st = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (st < 0 || ftruncate(st, 4096))
		return 2;
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, st, 0);
	close(st);
	unlink(path);
	if (map == MAP_FAILED)
		return 2;
	map[0] = 41;
	kid = cr_fork_answerer(map);
	/* flock, POSIX and OFD locks on one file. */
	locked = open("/tmp/cr_fdstate.locks", O_RDWR | O_CREAT, 0600);
	lockfd2 = open("/tmp/cr_fdstate.locks", O_RDWR);
	if (locked < 0 || lockfd2 < 0 || flock(locked, LOCK_SH) ||
	    fcntl(locked, F_SETLK, &posix) || fcntl(lockfd2, F_OFD_SETLK, &ofd))
		return 2;

	cr_ready_and_wait();

	cr_check(fcntl(io[0], F_GETFL) == flags, "pipe flags %#x, were %#x",
		 fcntl(io[0], F_GETFL), flags);
	cr_check(fcntl(io[1], F_GETFL) == O_WRONLY, "pipe write end flags %#x",
		 fcntl(io[1], F_GETFL));
	cr_check(fcntl(io[0], F_GETSIG) == SIGRTMIN + 2, "F_GETSIG %d",
		 fcntl(io[0], F_GETSIG));
	cr_check(fcntl(io[0], F_GETOWN) == getpid(), "F_GETOWN %d",
		 fcntl(io[0], F_GETOWN));
	if (write(io[1], "x", 1) != 1)
		cr_check(0, "pipe write");
	for (int i = 0; i < 100 && !io_signals; i++)
		usleep(10000);
	cr_check(io_signals == 1, "%d SIGIO signals on input", (int)io_signals);
	cr_check(read(io[0], &c, 1) == 1, "pipe read");

	if (write(watched[1], "y", 1) != 1)
		cr_check(0, "watched pipe write");
	cr_check(epoll_wait(ep, &got, 1, 1000) == 1 && got.data.u64 == 77 &&
		 (got.events & EPOLLIN), "epoll watch through a closed fd");

	check_deleted(tmp, "/tmp", 04645, 1000);
	check_deleted(shared_fd, argv[1], 0645, 0);

	map[0] = 42;
	cr_check(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && !WEXITSTATUS(st) &&
		 map[1] == 43, "memory shared through a deleted file");

	/* Another process sees all three locks held. */
	kid = fork();
	if (kid == 0) {
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				   .l_start = 0, .l_len = 10 };
		int fd = open("/tmp/cr_fdstate.locks", O_RDWR), bad = 0;

		bad += fcntl(fd, F_GETLK, &q) || q.l_type != F_WRLCK;
		q = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_start = 100, .l_len = 10 };
		bad += fcntl(fd, F_OFD_GETLK, &q) || q.l_type != F_RDLCK;
		bad += flock(fd, LOCK_EX | LOCK_NB) == 0;
		_exit(bad);
	}
	cr_check(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "%d locks lost", WEXITSTATUS(st));
	return cr_done();
}
