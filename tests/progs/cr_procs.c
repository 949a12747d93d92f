/*
 * cr_procs: process state that real programs set survives checkpoint and
 * restart: zombie children (an exit status, a death by signal) reaped
 * after the restart with that status; a child that shares our fd table
 * (clone(CLONE_FILES)) shares it still; a child's parent-death signal
 * (the root's parent is restart's, not ours: its own is not kept); the
 * OOM score adjustment; nice value and scheduling policy; subreaper;
 * personality (UNAME26 shows in uname()).
 * It prints READY, waits for SIGUSR1, checks, prints PASS or FAIL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "cr_common.h"

static char stack[65536] __attribute__((aligned(16)));

/*
 * The CLONE_FILES child: waits for the number of an fd the parent opens
 * after the restart, which must be open here too (one table).
 */
static int sharer(void *arg)
{
	unsigned char fd;

	if (read(((int *)arg)[0], &fd, 1) != 1)
		_exit(3);
	_exit(fcntl(fd, F_GETFD) >= 0 ? 0 : 4);
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -99999;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -99999;
		fclose(f);
	}
	return v;
}

int main(void)
{
	pid_t exited, killed, pdeath, sharing;
	int st, sig = 0, go[2], fd;
	siginfo_t si;
	struct sched_param sp = { 0 };
	struct utsname uts;
	FILE *f;

	/* Two zombies: one exited with 7, one killed by SIGTERM. */
	exited = fork();
	if (exited == 0)
		_exit(7);
	killed = fork();
	if (killed == 0) {
		pause();
		_exit(0);
	}
	kill(killed, SIGTERM);
	/* A child that gets SIGUSR2 when we die (it checks its own). */
	pdeath = fork();
	if (pdeath == 0) {
		prctl(PR_SET_PDEATHSIG, SIGUSR2);
		for (;;)
			pause();
	}
	/* A child sharing our fd table. */
	if (pipe(go))
		return 2;
	sharing = clone(sharer, stack + sizeof(stack), CLONE_FILES | SIGCHLD, go);
	if (sharing < 0)
		return 2;
	/* Process and scheduling state. */
	f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fprintf(f, "500\n") < 0 || fclose(f))
		return 2;
	if (setpriority(PRIO_PROCESS, 0, 5) ||
	    sched_setscheduler(0, SCHED_BATCH, &sp) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1) ||
	    personality(PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26) < 0)
		return 2;
	/* Both are zombies before the checkpoint (WNOWAIT: not reaped). */
	if (waitid(P_PID, killed, &si, WEXITED | WNOWAIT) ||
	    waitid(P_PID, exited, &si, WEXITED | WNOWAIT))
		return 2;
	printf("PDEATH %d\n", pdeath);

	cr_ready_and_wait();

	cr_check(waitpid(exited, &st, 0) == exited && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 7, "zombie %d: status %#x", exited, st);
	cr_check(waitpid(killed, &st, 0) == killed && WIFSIGNALED(st) &&
		 WTERMSIG(st) == SIGTERM, "zombie %d: status %#x", killed, st);
	cr_check(read_int("/proc/self/oom_score_adj") == 500, "oom_score_adj %d",
		 read_int("/proc/self/oom_score_adj"));
	errno = 0;
	cr_check(getpriority(PRIO_PROCESS, 0) == 5 && !errno, "nice %d",
		 getpriority(PRIO_PROCESS, 0));
	cr_check(sched_getscheduler(0) == SCHED_BATCH, "policy %d",
		 sched_getscheduler(0));
	cr_check(prctl(PR_GET_CHILD_SUBREAPER, &sig) == 0 && sig == 1,
		 "child subreaper %d", sig);
	cr_check(personality(0xffffffff) == (PER_LINUX | ADDR_NO_RANDOMIZE | UNAME26),
		 "personality %#x", personality(0xffffffff));
	cr_check(uname(&uts) == 0 && !strncmp(uts.release, "2.6.", 4),
		 "uname release %s under UNAME26", uts.release);
	/* The sharer sees an fd opened now. */
	fd = open("/dev/null", O_RDONLY);
	cr_check(fd >= 0 && fd < 256 && write(go[1], &(unsigned char){ fd }, 1) == 1 &&
		 waitpid(sharing, &st, 0) == sharing && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0, "CLONE_FILES child: status %#x", st);
	/*
	 * The pdeath child is still there; that it gets SIGUSR2 (and dies)
	 * when we exit, the test checks from outside.
	 */
	cr_check(kill(pdeath, 0) == 0, "pdeath child gone");
	return cr_done();
}
