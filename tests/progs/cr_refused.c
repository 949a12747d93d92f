/*
 * cr_refused MODE: hold something a checkpoint refuses, naming it:
 *   inet     a listening TCP socket
 *   named    a unix socket bound to a name
 *   hugetlb  huge-page memory (MAP_HUGETLB)
 *   cwd      a working directory deleted since
 *   thread   a thread with a fd table of its own (unshare(CLONE_FILES))
 *   sysvshm  SysV shared memory, attached
 *   memfd    a huge-page memfd (a shmem one is saved)
 *   mqueue   a POSIX message queue
 *   aio      an aio context
 *   inotify  an inotify instance with an event not read yet
 *   notify   a seccomp filter whose notification listener a process
 *            outside the tree holds (its grandchild, orphaned)
 * It says READY, waits for SIGUSR1 (the checkpoint is refused meanwhile),
 * then checks that what it held is still there and works: a refused
 * checkpoint leaves the process as it was.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "cr_common.h"

static volatile int thread_fd = -1;

/*
 * A process outside the tree (a grandchild whose parent exits) that takes
 * an fd from @sock and holds it until it dies. Returns its pid.
 */
static pid_t outsider(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	int pid[2], st;
	pid_t kid;

	if (pipe(pid))
		return -1;
	kid = fork();
	if (kid == 0) {
		if (fork() == 0) {
			pid_t me = getpid();

			if (write(pid[1], &me, sizeof(me)) != sizeof(me) ||
			    recvmsg(sock, &msg, 0) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		_exit(0);
	}
	if (read(pid[0], &kid, sizeof(kid)) != sizeof(kid) ||
	    waitpid(-1, &st, 0) < 0)
		return -1;
	close(pid[0]);
	close(pid[1]);
	return kid;
}

/* Give @fd to the process at the other end of @sock, and close ours. */
static int give(int sock, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))] = "", c = 'f';
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? close(fd) : -1;
}

static void *own_table(void *arg)
{
	(void)arg;
	if (unshare(CLONE_FILES))
		return NULL;
	thread_fd = open("/dev/null", O_RDONLY);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int fd = -1, id = -1;
	char *mem = NULL, path[64];
	aio_context_t ctx = 0;
	pid_t held_by = 0;
	pthread_t th;

	if (!strcmp(mode, "inet")) {
		struct sockaddr_in a = { .sin_family = AF_INET };

		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
			return 2;
	} else if (!strcmp(mode, "named")) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/cr_refused.%d", getpid());
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
			return 2;
	} else if (!strcmp(mode, "hugetlb")) {
		mem = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (mem == MAP_FAILED)
			return 2;
		mem[0] = 'h';
	} else if (!strcmp(mode, "cwd")) {
		snprintf(path, sizeof(path), "/tmp/cr_refused.%d", getpid());
		if (mkdir(path, 0700) || chdir(path) || rmdir(path))
			return 2;
	} else if (!strcmp(mode, "thread")) {
		if (pthread_create(&th, NULL, own_table, NULL))
			return 2;
		while (thread_fd < 0)
			usleep(1000);
	} else if (!strcmp(mode, "sysvshm")) {
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		mem = id < 0 ? MAP_FAILED : shmat(id, NULL, 0);
		if (mem == (char *)-1 || mem == MAP_FAILED)
			return 2;
		mem[0] = 's';
	} else if (!strcmp(mode, "memfd")) {
		fd = memfd_create("cr_refused", MFD_HUGETLB);
		if (fd < 0 || ftruncate(fd, 2 << 20))
			return 2;
	} else if (!strcmp(mode, "mqueue")) {
		snprintf(path, sizeof(path), "/cr_refused.%d", getpid());
		fd = mq_open(path, O_RDWR | O_CREAT, 0600, NULL);
		if (fd < 0 || mq_send(fd, "q", 1, 0))
			return 2;
	} else if (!strcmp(mode, "aio")) {
		if (syscall(SYS_io_setup, 8, &ctx))
			return 2;
	} else if (!strcmp(mode, "inotify")) {
		/* An event not read yet: it would be lost. */
		fd = inotify_init1(0);
		if (fd < 0 || inotify_add_watch(fd, "/tmp", IN_CREATE) < 0)
			return 2;
		close(open("/tmp/cr_refused.pending", O_CREAT | O_WRONLY, 0600));
	} else if (!strcmp(mode, "notify")) {
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = { .len = 1, .filter = &allow };
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
			return 2;
		held_by = outsider(sv[1]);
		fd = held_by < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -1 :
		     syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		if (fd < 0 || give(sv[0], fd) || close(sv[0]) || close(sv[1]))
			return 2;
	} else {
		fprintf(stderr, "cr_refused: unknown mode '%s'\n", mode);
		return 2;
	}

	cr_ready_and_wait();

	if (!strcmp(mode, "inet") || !strcmp(mode, "named")) {
		struct sockaddr_storage a;
		socklen_t len = sizeof(a);

		cr_check(getsockname(fd, (struct sockaddr *)&a, &len) == 0, "socket kept");
	} else if (!strcmp(mode, "hugetlb") || !strcmp(mode, "sysvshm")) {
		cr_check(mem[0] == mode[0], "memory kept");
	} else if (!strcmp(mode, "cwd")) {
		struct stat st;

		cr_check(stat(".", &st) == 0 && st.st_nlink == 0, "deleted cwd kept");
	} else if (!strcmp(mode, "thread")) {
		cr_check(fcntl(thread_fd, F_GETFD) < 0, "the thread's table is its own");
	} else if (!strcmp(mode, "memfd")) {
		struct stat st;

		cr_check(fstat(fd, &st) == 0 && st.st_size == 2 << 20, "memfd kept");
	} else if (!strcmp(mode, "mqueue")) {
		char c[8192] = "";

		cr_check(mq_receive(fd, c, sizeof(c), NULL) == 1 && c[0] == 'q',
			 "message queue kept");
		mq_unlink(path);
	} else if (!strcmp(mode, "aio")) {
		cr_check(syscall(SYS_io_destroy, ctx) == 0, "aio context kept");
	} else if (!strcmp(mode, "inotify")) {
		char ev[4096];

		close(open("/tmp/cr_refused.created", O_CREAT | O_WRONLY, 0600));
		cr_check(read(fd, ev, sizeof(ev)) > 0, "inotify watch kept");
	} else if (!strcmp(mode, "notify")) {
		cr_check(prctl(PR_GET_SECCOMP) == 2 && kill(held_by, 0) == 0,
			 "filter and listener kept");
		kill(held_by, SIGKILL);
	}
	return cr_done();
}
