/*
 * cr_pipetree N: a tree of N processes (this one and N-1 children) that
 * share one pipe, which holds a message from each of them when it is
 * checkpointed. It says READY once every message is in the pipe and waits
 * for SIGUSR1; then it wakes its children, each writes once more and
 * exits, and it checks their exit statuses and every message: PASS.
 * For the benchmarks: krg and CRIU checkpoint the same tree.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>
#include "cr_common.h"

#define MSG	8	/* "b000012\n": before (b) or after (a), and who */

static int pipefd[2];

static void say(char what, int who)
{
	char msg[MSG + 1];

	snprintf(msg, sizeof(msg), "%c%06d\n", what, who);
	if (write(pipefd[1], msg, MSG) != MSG)
		_exit(100);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, i, queued = 0, status;
	int seen[2] = { 0, 0 }, sum[2] = { 0, 0 };
	sigset_t usr1, old;
	pid_t *kids;
	char msg[MSG];

	if (n < 1 || n > 4096 || pipe(pipefd) < 0)
		return 2;
	kids = calloc(n, sizeof(*kids));
	signal(SIGUSR1, cr_on_usr1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	for (i = 1; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 2;
		if (kids[i] == 0) {
			say('b', i);
			while (!cr_go)
				sigsuspend(&old);
			say('a', i);
			_exit(0);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	say('b', 0);
	while (queued < n * MSG) {
		usleep(1000);
		ioctl(pipefd[0], FIONREAD, &queued);
	}

	cr_ready_and_wait();

	for (i = 1; i < n; i++)
		kill(kids[i], SIGUSR1);
	say('a', 0);
	for (i = 1; i < n; i++) {
		cr_check(waitpid(kids[i], &status, 0) == kids[i], "wait child %d", kids[i]);
		cr_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "child %d status %#x", kids[i], status);
	}
	close(pipefd[1]);
	while (read(pipefd[0], msg, MSG) == MSG) {
		seen[msg[0] == 'a']++;
		sum[msg[0] == 'a'] += atoi(msg + 1);
	}
	cr_check(seen[0] == n && seen[1] == n, "%d before, %d after, of %d",
		 seen[0], seen[1], n);
	cr_check(sum[0] == n * (n - 1) / 2 && sum[1] == sum[0], "sums %d %d",
		 sum[0], sum[1]);
	return cr_done();
}
