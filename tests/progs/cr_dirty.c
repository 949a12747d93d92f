/*
 * cr_dirty MIB [copy FILE | read FILE | wake]: dirty MIB MiB of anonymous
 * memory (every page), then either wait for SIGUSR1 (to be checkpointed),
 * or time writing that memory to FILE, or reading FILE into it: the raw
 * copies checkpoint and restart are compared with. A copy ends with
 * fsync(), as a checkpoint ends: the bytes are in storage, not only in
 * the page cache. Prints READY, or "copy_ns N" / "read_ns N". Resumed
 * by SIGUSR1, it reads a word of every page and prints "touch_ns N".
 *
 * With "wake" it needs no signal: it sleeps in 1 ms steps, and a step
 * that took over 100 ms by CLOCK_MONOTONIC or CLOCK_REALTIME (one may go
 * back, or not move enough, on another node; not both) was a checkpoint
 * and restart. It then prints "resumed_ns T", reads a word of every page
 * and prints "touched_ns T" and the page faults that took ("faults N").
 * The times are CLOCK_MONOTONIC, to compare with timeit's start_ns on the
 * node it restarted on: a restart is timed to the first instruction the
 * process runs, and to the end of its first touch.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include "cr_common.h"

#define CHUNK	(1 << 20)

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Page faults so far: a first touch takes one per page loaded alone. */
static long fault_count(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* A jump of over 100 ms, either way. */
static int jumped(long long from, long long to)
{
	return to - from > 100000000LL || to < from;
}

int main(int argc, char **argv)
{
	size_t size = (argc > 1 ? strtoul(argv[1], NULL, 10) : 16) << 20, i;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long long t0;
	int fd;

	if (mem == MAP_FAILED)
		return 2;
	for (i = 0; i < size; i += 64)
		*(uint64_t *)(mem + i) = i * 0x9e3779b97f4a7c15ULL;
	if (argc == 3 && !strcmp(argv[2], "wake")) {
		struct timespec ms = { .tv_nsec = 1000000 };
		long long last = now(), real = clock_ns(CLOCK_REALTIME), t, r;
		long faults;

		printf("READY %d\n", getpid());
		fflush(stdout);
		for (;; last = t, real = r) {
			nanosleep(&ms, NULL);
			t = now();
			r = clock_ns(CLOCK_REALTIME);
			if (jumped(last, t) || jumped(real, r))
				break;
		}
		printf("resumed_ns %lld\n", t);
		faults = fault_count();
		for (i = 0; i < size; i += 4096)
			cr_check(*(uint64_t *)(mem + i) == i * 0x9e3779b97f4a7c15ULL,
				 "page at %zu differs", i);
		t = now();
		printf("touched_ns %lld\nfaults %ld\n", t, fault_count() - faults);
		return cr_done();
	}
	if (argc < 4) {
		/* Restarted: time a first touch of every page, checking it. */
		cr_ready_and_wait();
		t0 = now();
		for (i = 0; i < size; i += 4096)
			cr_check(*(uint64_t *)(mem + i) == i * 0x9e3779b97f4a7c15ULL,
				 "page at %zu differs", i);
		printf("touch_ns %lld\n", now() - t0);
		return cr_done();
	}
	fd = open(argv[3], !strcmp(argv[2], "copy") ?
		  O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY, 0600);
	if (fd < 0) {
		perror(argv[3]);
		return 2;
	}
	t0 = now();
	for (i = 0; i < size; i += CHUNK) {
		ssize_t n = !strcmp(argv[2], "copy") ? write(fd, mem + i, CHUNK) :
			    read(fd, mem + i, CHUNK);

		if (n != CHUNK) {
			perror(argv[3]);
			return 2;
		}
	}
	if (!strcmp(argv[2], "copy") && fsync(fd)) {
		perror(argv[3]);
		return 2;
	}
	printf("%s_ns %lld\n", argv[2], now() - t0);
	close(fd);
	return 0;
}
