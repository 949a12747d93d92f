/*
 * cr_misc DIR: the rest of a task survives checkpoint/restart: umask,
 * working directory, resource limits, name, set_tid_address, robust
 * futex list, interval timers, POSIX timers (ids, clocks, notification,
 * time left, overrun count; one fires across the restart), glibc's rseq registration,
 * credentials, process group and session, parent.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
} ptimers;

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
	int gap;
	sigset_t rt;

	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &rt, NULL);
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
	ptimer_arm(ptimers.soon, 3, 0);
	overrun_make(&sev);
}

static void ptimers_check(void)
{
	struct timespec wait = { 120, 0 };
	struct itimerspec its;
	siginfo_t info;
	sigset_t rt;
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
	/* It fired before the checkpoint, or fires after the restart. */
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 2);
	cr_check(sigtimedwait(&rt, &info, &wait) == SIGRTMIN + 2 &&
		 info.si_code == SI_TIMER && info.si_timerid == ptimers.soon &&
		 info.si_value.sival_int == 0x5678, "POSIX timer %d signal",
		 ptimers.soon);
	cr_check(ptimers.overrun > 0 &&
		 syscall(SYS_timer_getoverrun, ptimers.over) == ptimers.overrun,
		 "POSIX timer %d overrun %ld, was %d", ptimers.over,
		 syscall(SYS_timer_getoverrun, ptimers.over), ptimers.overrun);
	id = ptimer_create(CLOCK_MONOTONIC, NULL);
	cr_check(id >= 0 && id != ptimers.mono && id != ptimers.real &&
		 id != ptimers.cpu && id != ptimers.soon && id != ptimers.over,
		 "new timer id %d is free", id);
}

int main(int argc, char **argv)
{
	char cwd[512], cwd2[512], name[16];
	struct rlimit nofile = { 200, 300 }, core = { 0, 12345678 }, r;
	void *tid_addr, *tid_addr2, *robust, *robust2;
	size_t rlen, rlen2;
	pid_t pgid, sid, ppid;
	uid_t uid, euid;
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
	ppid = getppid();
	uid = getuid();
	euid = geteuid();

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
	cr_check(getuid() == uid && geteuid() == euid, "credentials");
	printf("PPID %d was %d\n", getppid(), ppid);
	return cr_done();
}
