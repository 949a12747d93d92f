/*
 * cr_tree DIR: a tree of three processes survives checkpoint/restart:
 * the parent, a child in its process group and a child leading its own,
 * talking through a shared anonymous mapping; parent links, wait() and
 * exit statuses work afterwards.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include "cr_common.h"

struct shared {
	volatile int ready;
	volatile int sum;
};

static int child(struct shared *s, int own_group, int value)
{
	pid_t parent = getppid();

	if (own_group)
		setpgid(0, 0);
	__sync_fetch_and_add(&s->ready, 1);
	while (!cr_go)
		pause();
	if (getppid() != parent) {
		printf("FAIL: child %d lost its parent %d\n", getpid(), parent);
		fflush(stdout);
		return 100;
	}
	__sync_fetch_and_add(&s->sum, value);
	return value;
}

int main(void)
{
	struct shared *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t kids[2];
	int i, status, total = 0;

	signal(SIGUSR1, cr_on_usr1);
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			return child(s, i, 10 + i);
	}
	while (s->ready < 2)
		usleep(1000);
	printf("CHILDREN %d %d\n", kids[0], kids[1]);

	cr_ready_and_wait();

	cr_check(getpgid(kids[0]) == getpgrp(), "child 1 in our group");
	cr_check(getpgid(kids[1]) == kids[1], "child 2 leads its group");
	kill(kids[0], SIGUSR1);
	kill(kids[1], SIGUSR1);
	for (i = 0; i < 2; i++) {
		cr_check(waitpid(kids[i], &status, 0) == kids[i], "wait child %d",
			 kids[i]);
		if (WIFEXITED(status))
			total += WEXITSTATUS(status);
	}
	cr_check(total == 21, "children exit statuses %d", total);
	cr_check(s->sum == 21, "shared memory sum %d", s->sum);
	return cr_done();
}
