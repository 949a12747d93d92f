// SPDX-License-Identifier: GPL-2.0
/*
 * undumpable [keep]: a process its owner may not read as ptrace would:
 * it calls prctl(PR_SET_DUMPABLE, 0) (unless "keep": then it stays as
 * exec left it, which for a setgid program is undumpable too), says
 * READY with its PID, and sleeps until killed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (!(argc == 2 && !strcmp(argv[1], "keep")) &&
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		perror("undumpable: prctl");
		return 1;
	}
	printf("READY %d dumpable=%d\n", getpid(),
	       prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	fflush(stdout);
	for (;;)
		pause();
}
