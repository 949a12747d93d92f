/*
 * cr_misc DIR: the rest of a task survives checkpoint/restart: umask,
 * working directory, resource limits, name, set_tid_address, robust
 * futex list, interval timers, credentials, process group and session,
 * parent.
 */
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "cr_common.h"

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
