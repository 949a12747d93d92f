/*
 * cr_memory DIR: memory of every kind survives checkpoint/restart.
 * Private anonymous (big, partly touched), heap (brk), stack, a shared
 * anonymous mapping, a file mapped private (copied-on-write pages) and
 * shared (in DIR, which the restart node must see), read-only and
 * PROT_NONE pages, TLS, the vDSO, and /proc/self/{cmdline,environ,exe}.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include "cr_common.h"

#define BIG	(32 << 20)
#define PAGE	4096

static __thread uint64_t tls_value = 0x1122334455667788ULL;

static uint64_t pattern(uint64_t i, uint64_t seed)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ seed;
}

static int check_pattern(const uint64_t *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(i, seed))
			return 0;
	return 1;
}

static void fill(uint64_t *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(i, seed);
}

static size_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len);

	if (fd >= 0)
		close(fd);
	return n < 0 ? 0 : (size_t)n;
}

int main(int argc, char **argv)
{
	char path[512], cmdline[4096], cmdline2[4096], env[8192], env2[8192];
	char exe[512], exe2[512];
	uint64_t stack_area[512];
	size_t ncmd, nenv, i;
	ssize_t nexe;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: cr_memory DIR\n");
		return 2;
	}
	/* Anonymous: every other 64 KiB touched, the rest never. */
	uint8_t *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < BIG; i += 128 << 10)
		fill((uint64_t *)(big + i), (64 << 10) / 8, i);
	/* Heap through brk. */
	uint64_t *heap = sbrk(1 << 20);
	fill(heap, (1 << 20) / 8, 7);
	fill(stack_area, 512, 9);
	/* Shared anonymous. */
	uint64_t *shared = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(shared, (1 << 20) / 8, 11);
	/* A file, mapped private (then written: COW) and shared. */
	snprintf(path, sizeof(path), "%s/cr_memory.data", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 4 * PAGE) < 0) {
		perror(path);
		return 2;
	}
	uint64_t *fpriv = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE, fd, 0);
	uint64_t *fshared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
	close(fd);
	fill(fshared, 4 * PAGE / 8, 13);
	fill(fpriv, PAGE / 8, 17);	/* only the first page is private */
	/* Read-only and inaccessible pages. */
	uint64_t *ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(ro, PAGE / 8, 19);
	mprotect(ro, PAGE, PROT_READ);
	uint64_t *none = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(none, PAGE / 8, 23);
	mprotect(none, PAGE, PROT_NONE);
	tls_value ^= 0xff;
	ncmd = slurp("/proc/self/cmdline", cmdline, sizeof(cmdline));
	nenv = slurp("/proc/self/environ", env, sizeof(env));
	nexe = readlink("/proc/self/exe", exe, sizeof(exe));
	unsigned long pagesz = getauxval(AT_PAGESZ);
	void *brk_before = sbrk(0);

	cr_ready_and_wait();

	for (i = 0; i < BIG; i += 128 << 10) {
		cr_check(check_pattern((uint64_t *)(big + i), (64 << 10) / 8, i),
			 "anonymous memory at +%zu", i);
		if (i + (64 << 10) < BIG)
			cr_check(big[i + (64 << 10)] == 0, "untouched page at +%zu",
				 i + (64 << 10));
	}
	cr_check(check_pattern(heap, (1 << 20) / 8, 7), "heap");
	cr_check(sbrk(0) == brk_before, "brk moved");
	cr_check(check_pattern(stack_area, 512, 9), "stack");
	cr_check(check_pattern(shared, (1 << 20) / 8, 11), "shared anonymous");
	cr_check(check_pattern(fpriv, PAGE / 8, 17), "private file page");
	cr_check(check_pattern(fshared, 4 * PAGE / 8, 13), "shared file");
	cr_check(check_pattern(ro, PAGE / 8, 19), "read-only page");
	mprotect(none, PAGE, PROT_READ);
	cr_check(check_pattern(none, PAGE / 8, 23), "PROT_NONE page");
	cr_check(tls_value == (0x1122334455667788ULL ^ 0xff), "TLS variable");
	cr_check(slurp("/proc/self/cmdline", cmdline2, sizeof(cmdline2)) == ncmd &&
		 !memcmp(cmdline, cmdline2, ncmd), "/proc/self/cmdline");
	cr_check(slurp("/proc/self/environ", env2, sizeof(env2)) == nenv &&
		 !memcmp(env, env2, nenv), "/proc/self/environ");
	cr_check(readlink("/proc/self/exe", exe2, sizeof(exe2)) == nexe &&
		 !memcmp(exe, exe2, nexe), "/proc/self/exe");
	cr_check(getauxval(AT_PAGESZ) == pagesz, "auxv");
	struct timespec ts;
	cr_check(clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec > 0,
		 "vDSO clock_gettime");
	/* Memory still works: grow the heap, map more. */
	uint64_t *more = malloc(8 << 20);
	fill(more, (8 << 20) / 8, 29);
	cr_check(check_pattern(more, (8 << 20) / 8, 29), "new memory");
	return cr_done();
}
