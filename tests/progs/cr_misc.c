/*
 * cr_misc DIR: the rest of a task survives checkpoint/restart: umask,
 * working directory, resource limits, name, set_tid_address, robust
 * futex list, interval timers, POSIX timers (ids, clocks, notification:
 * signal and value, time left, overrun count; one fires across the
 * restart, and must fire after it: it is restarted on another node),
 * glibc's rseq registration, credentials (real, effective, saved and fs
 * ids, supplementary groups; root sets ids and groups of its own first),
 * process group and session, and the parent of its child (the root's
 * parent is restart's business: Documentation/checkpoint.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/fsuid.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "cr_common.h"

/* Raw timer_*() calls: glibc's timer_t is not always the kernel's id. */
static int ptimer_create(clockid_t clock, struct sigevent *sev)
{
	int id = -1;

	if (syscall(SYS_timer_create, clock, sev, &id) < 0)
		return -1;
	return id;
}

static void ptimer_arm(int id, time_t value, time_t interval)
{
	struct itimerspec its = { { interval, 0 }, { value, 0 } };

	syscall(SYS_timer_settime, id, 0, &its, NULL);
}

static int ptimer_left(int id, struct itimerspec *its)
{
	return syscall(SYS_timer_gettime, id, its);
}

static struct {
	int mono, real, cpu, soon, over;
	int overrun;	/* of over, as timer_getoverrun() said */
	int node;	/* where they were made */
} ptimers;

/* soon's signal, as its handler saw it. */
#define SOON_SECONDS	30
static volatile sig_atomic_t soon_fired, soon_code, soon_id, soon_value;
static volatile sig_atomic_t soon_node, soon_after_resume;

/* This node's krg id (-1 if none); async-signal-safe. */
static int node_id(void)
{
	char buf[16] = "";
	int fd = open("/sys/kernel/krg/node_id", O_RDONLY), id = 0, i;

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		id = -1;
	if (fd >= 0)
		close(fd);
	for (i = 0; id >= 0 && buf[i] >= '0' && buf[i] <= '9'; i++)
		id = id * 10 + buf[i] - '0';
	return id;
}

static void on_soon(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	soon_code = si->si_code;
	soon_id = si->si_timerid;
	soon_value = si->si_value.sival_int;
	soon_node = node_id();
	soon_after_resume = cr_go;	/* SIGUSR1 came after the restart */
	soon_fired++;
}

/*
 * Is glibc's rseq area registered, as glibc did it? rseq() with the same
 * area, length and signature says EBUSY; glibc registers 32 bytes, or
 * __rseq_size if more.
 */
static int rseq_registered(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	unsigned int len = __rseq_size > 32 ? __rseq_size : 32;

	return __rseq_size && syscall(SYS_rseq, area, len, 0, RSEQ_SIG) < 0 &&
	       errno == EBUSY;
}

/*
 * A 1 ms timer whose signal waited 30 ms: its delivery says how many
 * expirations it missed (timer_getoverrun()), and the next one, blocked,
 * keeps that count as it was.
 */
static void overrun_make(struct sigevent *sev)
{
	struct itimerspec ms = { { 0, 1000000 }, { 0, 1000000 } };
	sigset_t over;

	sigemptyset(&over);
	sigaddset(&over, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &over, NULL);
	sev->sigev_signo = SIGRTMIN + 3;
	ptimers.over = ptimer_create(CLOCK_MONOTONIC, sev);
	syscall(SYS_timer_settime, ptimers.over, 0, &ms, NULL);
	usleep(30000);
	sigwaitinfo(&over, NULL);
	ptimers.overrun = syscall(SYS_timer_getoverrun, ptimers.over);
}

/* Timers with gaps in their ids, some armed, one about to fire. */
static void ptimers_make(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL };
	struct sigaction sa = { .sa_sigaction = on_soon,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	int gap;
	sigset_t rt;

	/* mono's signal waits, blocked; soon's is handled as it comes. */
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	sigaction(SIGRTMIN + 2, &sa, NULL);
	ptimers.node = node_id();
	gap = ptimer_create(CLOCK_MONOTONIC, NULL);
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_value.sival_int = 0x1234;
	ptimers.mono = ptimer_create(CLOCK_MONOTONIC, &sev);
	syscall(SYS_timer_delete, gap);
	ptimers.real = ptimer_create(CLOCK_REALTIME, NULL);
	sev.sigev_notify = SIGEV_NONE;
	ptimers.cpu = ptimer_create(CLOCK_PROCESS_CPUTIME_ID, &sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 2;
	sev.sigev_value.sival_int = 0x5678;
	ptimers.soon = ptimer_create(CLOCK_MONOTONIC, &sev);
	ptimer_arm(ptimers.mono, 1000, 500);
	ptimer_arm(ptimers.cpu, 3000, 0);
	overrun_make(&sev);
	/* Last, so that it fires after the checkpoint, and the restart. */
	ptimer_arm(ptimers.soon, SOON_SECONDS, 0);
}

/*
 * soon fires after the restart: on the restart node, or after SIGUSR1,
 * which comes after the restart; not before the checkpoint.
 */
static void soon_check(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	int i, armed = ptimer_left(ptimers.soon, &its) == 0 &&
		       (its.it_value.tv_sec || its.it_value.tv_nsec);

	cr_check(soon_fired || (armed && its.it_value.tv_sec < SOON_SECONDS),
		 "POSIX timer %d: %ld s left, fired %d", ptimers.soon,
		 (long)its.it_value.tv_sec, (int)soon_fired);
	for (i = 0; i < 12000 && !soon_fired; i++)
		usleep(10000);
	cr_check(soon_fired == 1 && soon_code == SI_TIMER &&
		 soon_id == ptimers.soon && soon_value == 0x5678,
		 "POSIX timer %d signal: %d times, code %d, timer %d, value %#x",
		 ptimers.soon, (int)soon_fired, (int)soon_code, (int)soon_id,
		 (int)soon_value);
	cr_check(soon_after_resume || soon_node != ptimers.node,
		 "POSIX timer %d fired on node %d where it was made (%d), "
		 "before the restart", ptimers.soon, (int)soon_node,
		 ptimers.node);
}

/* mono still notifies with its signal and value. */
static void mono_fires(void)
{
	struct itimerspec ms = { { 0, 0 }, { 0, 10000000 } };
	struct timespec wait = { 10, 0 };
	siginfo_t info = { 0 };
	sigset_t rt;
	int sig;

	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	syscall(SYS_timer_settime, ptimers.mono, 0, &ms, NULL);
	sig = sigtimedwait(&rt, &info, &wait);
	cr_check(sig == SIGRTMIN + 1 && info.si_code == SI_TIMER &&
		 info.si_timerid == ptimers.mono &&
		 info.si_value.sival_int == 0x1234,
		 "POSIX timer %d notifies: signal %d code %d timer %d value %#x",
		 ptimers.mono, sig, info.si_code, info.si_timerid,
		 info.si_value.sival_int);
}

static void ptimers_check(void)
{
	struct itimerspec its;
	int id;

	cr_check(ptimers.mono > 0 && ptimers.real >= 0 && ptimers.cpu >= 0 &&
		 ptimers.soon >= 0, "timer_create");
	cr_check(ptimer_left(ptimers.mono, &its) == 0 &&
		 its.it_interval.tv_sec == 500 && its.it_value.tv_sec > 900 &&
		 its.it_value.tv_sec <= 1000, "POSIX timer %d: %ld left",
		 ptimers.mono, (long)its.it_value.tv_sec);
	cr_check(ptimer_left(ptimers.real, &its) == 0 && !its.it_value.tv_sec &&
		 !its.it_value.tv_nsec, "POSIX timer %d disarmed", ptimers.real);
	cr_check(ptimer_left(ptimers.cpu, &its) == 0 &&
		 its.it_value.tv_sec > 2990 && its.it_value.tv_sec <= 3000,
		 "POSIX CPU timer %d: %ld left", ptimers.cpu,
		 (long)its.it_value.tv_sec);
	soon_check();
	mono_fires();
	cr_check(ptimers.overrun > 0 &&
		 syscall(SYS_timer_getoverrun, ptimers.over) == ptimers.overrun,
		 "POSIX timer %d overrun %ld, was %d", ptimers.over,
		 syscall(SYS_timer_getoverrun, ptimers.over), ptimers.overrun);
	id = ptimer_create(CLOCK_MONOTONIC, NULL);
	cr_check(id >= 0 && id != ptimers.mono && id != ptimers.real &&
		 id != ptimers.cpu && id != ptimers.soon && id != ptimers.over,
		 "new timer id %d is free", id);
}

struct creds {
	uid_t uid[4];	/* real, effective, saved, fs */
	gid_t gid[4];
	int ngroups;
	gid_t groups[32];
};

static void creds_get(struct creds *c)
{
	memset(c, 0, sizeof(*c));
	getresuid(&c->uid[0], &c->uid[1], &c->uid[2]);
	getresgid(&c->gid[0], &c->gid[1], &c->gid[2]);
	c->uid[3] = setfsuid(-1);
	c->gid[3] = setfsgid(-1);
	c->ngroups = getgroups(32, c->groups);
}

/*
 * Root takes ids and groups of its own, all different, keeping euid 0
 * (so its capabilities, and its files): a restart that gave the
 * restarter's (root's) would show.
 */
static void creds_make(void)
{
	static const gid_t groups[] = { 1001, 1002, 1003 };

	if (geteuid() != 0)
		return;
	if (setgroups(3, groups) || setresgid(1004, 1005, 1006) ||
	    setresuid(1007, 0, 1008))
		perror("credentials");
}

static void creds_check(const struct creds *was)
{
	struct creds now;
	int i;

	creds_get(&now);
	cr_check(now.uid[0] == was->uid[0] && now.uid[1] == was->uid[1] &&
		 now.uid[2] == was->uid[2] && now.uid[3] == was->uid[3],
		 "uids %d %d %d %d, were %d %d %d %d", now.uid[0], now.uid[1],
		 now.uid[2], now.uid[3], was->uid[0], was->uid[1], was->uid[2],
		 was->uid[3]);
	cr_check(now.gid[0] == was->gid[0] && now.gid[1] == was->gid[1] &&
		 now.gid[2] == was->gid[2] && now.gid[3] == was->gid[3],
		 "gids %d %d %d %d, were %d %d %d %d", now.gid[0], now.gid[1],
		 now.gid[2], now.gid[3], was->gid[0], was->gid[1], was->gid[2],
		 was->gid[3]);
	cr_check(now.ngroups == was->ngroups, "%d groups, were %d",
		 now.ngroups, was->ngroups);
	for (i = 0; i < now.ngroups && i < was->ngroups; i++)
		cr_check(now.groups[i] == was->groups[i], "group %d: %d, was %d",
			 i, now.groups[i], was->groups[i]);
}

/*
 * A child, for its parent: it waits for a byte on @go, then sends its
 * getppid() back on @back.
 */
static pid_t child_make(int go[2], int back[2])
{
	pid_t kid;
	char c;

	if (pipe(go) || pipe(back))
		return -1;
	fflush(stdout);
	kid = fork();
	if (kid == 0) {
		pid_t ppid;

		close(go[1]);
		close(back[0]);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		ppid = getppid();
		_exit(write(back[1], &ppid, sizeof(ppid)) == sizeof(ppid) ? 0 : 1);
	}
	close(go[0]);
	close(back[1]);
	return kid;
}

static void child_check(pid_t kid, int go, int back)
{
	pid_t ppid = -1;
	int status = -1;

	if (kid <= 0 || write(go, "x", 1) != 1 ||
	    read(back, &ppid, sizeof(ppid)) != sizeof(ppid))
		ppid = -1;
	cr_check(ppid == getpid(), "child %d: its parent %d, not %d", kid, ppid,
		 getpid());
	if (kid > 0 && waitpid(kid, &status, 0) != kid)
		status = -1;
	cr_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "child %d status %#x", kid, status);
}

int main(int argc, char **argv)
{
	char cwd[512], cwd2[512], name[16];
	struct rlimit nofile = { 200, 300 }, core = { 0, 12345678 }, r;
	void *tid_addr, *tid_addr2, *robust, *robust2;
	size_t rlen, rlen2;
	pid_t pgid, sid, kid;
	int go[2], back[2];
	struct creds creds;
	struct itimerval real = { { 500, 0 }, { 1000, 0 } }, prof = { { 0, 0 }, { 3000, 0 } };
	struct itimerval got;

	if (argc < 2 || chdir(argv[1]) < 0) {
		fprintf(stderr, "usage: cr_misc DIR\n");
		return 2;
	}
	umask(027);
	getcwd(cwd, sizeof(cwd));
	setrlimit(RLIMIT_NOFILE, &nofile);
	setrlimit(RLIMIT_CORE, &core);
	prctl(PR_SET_NAME, "crmisc-name");
	setitimer(ITIMER_REAL, &real, NULL);
	setitimer(ITIMER_PROF, &prof, NULL);
	ptimers_make();
	cr_check(rseq_registered(), "rseq registered before");
	prctl(PR_GET_TID_ADDRESS, &tid_addr);
	syscall(SYS_get_robust_list, 0, &robust, &rlen);
	pgid = getpgrp();
	sid = getsid(0);
	creds_make();
	creds_get(&creds);
	kid = child_make(go, back);

	cr_ready_and_wait();

	cr_check(umask(0) == 027, "umask");
	getitimer(ITIMER_REAL, &got);
	cr_check(got.it_interval.tv_sec == 500 && got.it_value.tv_sec > 900 &&
		 got.it_value.tv_sec <= 1000, "ITIMER_REAL %ld left",
		 (long)got.it_value.tv_sec);
	getitimer(ITIMER_PROF, &got);
	cr_check(got.it_interval.tv_sec == 0 && got.it_value.tv_sec > 2990 &&
		 got.it_value.tv_sec <= 3000, "ITIMER_PROF %ld left",
		 (long)got.it_value.tv_sec);
	ptimers_check();
	cr_check(rseq_registered(), "rseq registered after restart");
	cr_check(getcwd(cwd2, sizeof(cwd2)) && !strcmp(cwd, cwd2),
		 "working directory %s", cwd2);
	cr_check(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 200 &&
		 r.rlim_max == 300, "RLIMIT_NOFILE");
	cr_check(getrlimit(RLIMIT_CORE, &r) == 0 && r.rlim_cur == 0 &&
		 r.rlim_max == 12345678, "RLIMIT_CORE");
	prctl(PR_GET_NAME, name);
	cr_check(!strcmp(name, "crmisc-name"), "name %s", name);
	prctl(PR_GET_TID_ADDRESS, &tid_addr2);
	cr_check(tid_addr == tid_addr2, "set_tid_address");
	syscall(SYS_get_robust_list, 0, &robust2, &rlen2);
	cr_check(robust == robust2 && rlen == rlen2, "robust futex list");
	cr_check(getpgrp() == pgid, "process group %d, was %d", getpgrp(), pgid);
	cr_check(getsid(0) == sid, "session %d, was %d", getsid(0), sid);
	creds_check(&creds);
	child_check(kid, go[1], back[0]);
	return cr_done();
}
