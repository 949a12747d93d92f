// SPDX-License-Identifier: GPL-2.0
/*
 * A process's group, session and priority, for test_task_ops.py:
 *
 *   procprobe ids PID        print "PGID SID NICE" (getpgid, getsid,
 *                            getpriority), or the first error; exit 1
 *   procprobe nice PID N     setpriority(PRIO_PROCESS, PID, N)
 *   procprobe group CMD...   exec CMD in a process group of its own,
 *                            in the same session
 *
 * On error it prints "CALL: strerror" and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int fail(const char *call)
{
	printf("%s: %s\n", call, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	pid_t pid, pgid, sid;
	int nice;

	if (argc == 3 && !strcmp(argv[1], "ids")) {
		pid = atoi(argv[2]);
		pgid = getpgid(pid);
		if (pgid < 0)
			return fail("getpgid");
		sid = getsid(pid);
		if (sid < 0)
			return fail("getsid");
		errno = 0;
		nice = getpriority(PRIO_PROCESS, pid);
		if (nice == -1 && errno)
			return fail("getpriority");
		printf("%d %d %d\n", pgid, sid, nice);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "nice")) {
		if (setpriority(PRIO_PROCESS, atoi(argv[2]), atoi(argv[3])))
			return fail("setpriority");
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "group")) {
		if (setpgid(0, 0))
			return fail("setpgid");
		execvp(argv[2], argv + 2);
		return fail("execvp");
	}
	fprintf(stderr, "usage: procprobe ids PID | nice PID N | group CMD...\n");
	return 2;
}
