/*
 * timeit CMD [ARG...]: run CMD, then print "elapsed_ns N" (monotonic wall
 * time) and "start_ns T" (CLOCK_MONOTONIC when it started CMD) and exit
 * with CMD's status. For benchmarks, inside a node.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long t0;
	int status;
	pid_t p;

	if (argc < 2) {
		fprintf(stderr, "usage: timeit CMD [ARG...]\n");
		return 2;
	}
	t0 = now();
	p = fork();
	if (p == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	waitpid(p, &status, 0);
	printf("elapsed_ns %lld\nstart_ns %lld\n", now() - t0, t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
