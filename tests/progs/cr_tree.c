/*
 * cr_tree DIR: a tree of three processes survives checkpoint/restart:
 * the parent, a child in its process group and a child leading its own,
 * talking through a shared anonymous mapping and a pipe (which holds
 * bytes at checkpoint time); parent links, wait() and exit statuses work
 * afterwards.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include "cr_common.h"

struct shared {
	volatile int ready;
	volatile int sum;
};

static int pipefd[2];

static int child(struct shared *s, int own_group, int value)
{
	pid_t parent = getppid();
	char msg[32];

	if (own_group)
		setpgid(0, 0);
	close(pipefd[0]);
	snprintf(msg, sizeof(msg), "before %d;", value);
	if (write(pipefd[1], msg, strlen(msg)) < 0)
		return 101;
	__sync_fetch_and_add(&s->ready, 1);
	while (!cr_go)
		pause();
	if (getppid() != parent) {
		printf("FAIL: child %d lost its parent %d\n", getpid(), parent);
		fflush(stdout);
		return 100;
	}
	__sync_fetch_and_add(&s->sum, value);
	snprintf(msg, sizeof(msg), "after %d;", value);
	if (write(pipefd[1], msg, strlen(msg)) < 0)
		return 102;
	return value;
}

int main(void)
{
	struct shared *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t kids[2];
	int i, status, total = 0;
	char got[256] = "";
	ssize_t n, len = 0;

	if (pipe(pipefd) < 0)
		return 2;
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
	close(pipefd[1]);
	while ((n = read(pipefd[0], got + len, sizeof(got) - 1 - len)) > 0)
		len += n;
	got[len] = 0;
	cr_check(strstr(got, "before 10;") && strstr(got, "before 11;") &&
		 strstr(got, "after 10;") && strstr(got, "after 11;") &&
		 len == 38, "pipe carried '%s'", got);
	cr_check(s->sum == 21, "shared memory sum %d", s->sum);
	return cr_done();
}
