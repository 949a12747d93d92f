/*
 * cr_seccomp: seccomp filters and strict mode survive checkpoint and
 * restart, and still filter. The process (no new privileges) attaches two
 * filters, one with SECCOMP_FILTER_FLAG_LOG, each failing one system call
 * with its own errno; a thread attaches a third of its own. A child in
 * strict mode waits in read() on a pipe. After the restart each filter
 * still fails its call (and only in the threads that have it), the
 * process and thread report 2 and 3 filters, and the strict child reads,
 * answers, and is killed by the next call strict mode does not allow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "cr_common.h"

/* Fail system call @nr with @err; allow everything else. */
static int deny(long nr, int err, unsigned int flags)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 7, .filter = insns };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* The errno a call gives, 0 if it succeeds. */
static int errno_of(long nr)
{
	errno = 0;
	return syscall(nr, 0, 0) < 0 ? errno : 0;
}

/* "Seccomp_filters" of the calling thread (/proc is the node's view). */
static int filters(void)
{
	char line[128];
	int n = -1;
	FILE *f;

	f = fopen("/proc/thread-self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "Seccomp_filters: %d", &n);
	if (f)
		fclose(f);
	return n;
}

static volatile int thread_ok = -1, thread_ready;
static volatile pid_t thread_tid;

/* The thread's own filter: getpgid fails with 13 here only. */
static void *with_one_more(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	thread_tid = gettid();
	if (deny(SYS_getpgid, 13, 0))
		return NULL;
	thread_ready = 1;
	while (!cr_go)
		usleep(10000);
	thread_ok = errno_of(SYS_getpgid) == 13 &&
		    errno_of(SYS_getpriority) == 11 &&
		    errno_of(SYS_sysinfo) == 12 && filters() == 3;
	return NULL;
}

int main(void)
{
	int go[2], back[2], st;
	pthread_t thread;
	pid_t strict;
	char c = 0;

	if (pipe(go) || pipe(back))
		return 2;
	strict = fork();
	if (strict == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
			syscall(SYS_exit, 3);
		if (syscall(SYS_read, go[0], &c, 1) == 1)
			syscall(SYS_write, back[1], "k", 1);
		syscall(SYS_getpid);	/* not allowed: SIGKILL */
		syscall(SYS_exit, 4);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    deny(SYS_getpriority, 11, 0) ||
	    deny(SYS_sysinfo, 12, SECCOMP_FILTER_FLAG_LOG))
		return 2;
	if (pthread_create(&thread, NULL, with_one_more, NULL))
		return 2;
	while (!thread_ready)
		usleep(10000);

	cr_ready_and_wait();

	cr_check(errno_of(SYS_getpriority) == 11, "getpriority gave %d, not 11",
		 errno_of(SYS_getpriority));
	cr_check(errno_of(SYS_sysinfo) == 12, "sysinfo gave %d, not 12",
		 errno_of(SYS_sysinfo));
	cr_check(errno_of(SYS_getpgid) == 0, "getpgid gave %d in the main thread",
		 errno_of(SYS_getpgid));
	cr_check(filters() == 2, "the main thread has %d filters, not 2",
		 filters());
	cr_check(prctl(PR_GET_SECCOMP) == 2, "seccomp mode %d",
		 prctl(PR_GET_SECCOMP));
	pthread_join(thread, NULL);
	cr_check(thread_ok == 1, "the thread's filters are not its own (%d, tid %d)",
		 thread_ok, thread_tid);
	/* The strict child reads, answers, and dies of its next call. */
	cr_check(write(go[1], "g", 1) == 1 && read(back[0], &c, 1) == 1 && c == 'k',
		 "the strict child did not answer");
	cr_check(waitpid(strict, &st, 0) == strict && WIFSIGNALED(st) &&
		 WTERMSIG(st) == SIGKILL, "the strict child: status %#x", st);
	return cr_done();
}
