/*
 * cr_lazy: memory left in the image by restart (lazy restore) behaves as
 * memory that was never gone. After the restart, with most pages still in
 * the image, it:
 *   - forks: the child checks the region (it inherits the pages left);
 *   - drops a range with madvise(MADV_DONTNEED): it reads back zero;
 *   - moves a range with mremap(): its data goes with it;
 *   - unmaps a range and maps new memory there: zero;
 *   - makes a range read-only: still readable, same data;
 *   - has the kernel write into a page left (read() from a pipe) and read
 *     from one (write() to the pipe);
 * then checks all the rest, page by page.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "cr_common.h"

#define PAGE	4096UL
#define NPAGES	4096UL		/* 16 MiB */

static uint64_t pattern(uint64_t page, uint64_t i)
{
	return (page * 0x9e3779b97f4a7c15ULL) ^ (i * 0xbf58476d1ce4e5b9ULL);
}

static int page_ok(const uint8_t *base, uint64_t page, uint64_t as)
{
	const uint64_t *p = (const uint64_t *)(base + page * PAGE);

	for (uint64_t i = 0; i < PAGE / 8; i++)
		if (p[i] != pattern(as, i))
			return 0;
	return 1;
}

static int zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Pages [from, to) of base hold their pattern. */
static int range_ok(const uint8_t *base, uint64_t from, uint64_t to)
{
	for (uint64_t pg = from; pg < to; pg++)
		if (!page_ok(base, pg, pg))
			return 0;
	return 1;
}

int main(void)
{
	uint8_t *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Where a range will move to: ours, so that nothing else is there. */
	uint8_t *dst = mmap(NULL, 256 * PAGE, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t buf[PAGE];
	int fds[2], status;
	pid_t child;

	if (m == MAP_FAILED || dst == MAP_FAILED || pipe(fds) < 0) {
		perror("cr_lazy");
		return 2;
	}
	for (uint64_t pg = 0; pg < NPAGES; pg++)
		for (uint64_t i = 0; i < PAGE / 8; i++)
			((uint64_t *)(m + pg * PAGE))[i] = pattern(pg, i);
	cr_ready_and_wait();

	/* Pages 0-255: checked by a child, which has them too. */
	child = fork();
	if (child == 0)
		_exit(range_ok(m, 0, 256) ? 0 : 1);
	cr_check(child > 0 && waitpid(child, &status, 0) == child &&
		 WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "a child forked after restart sees other data");
	/* 256-511: dropped, never touched before. */
	madvise(m + 256 * PAGE, 256 * PAGE, MADV_DONTNEED);
	cr_check(zero(m + 256 * PAGE, 256 * PAGE), "dropped pages not zero");
	/* 512-767: moved elsewhere. */
	uint8_t *moved = mremap(m + 512 * PAGE, 256 * PAGE, 256 * PAGE,
				MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	cr_check(moved != MAP_FAILED, "mremap failed");
	for (uint64_t pg = 0; moved != MAP_FAILED && pg < 256; pg++)
		cr_check(page_ok(moved, pg, 512 + pg), "moved page %lu differs", pg);
	/* 768-1023: unmapped, then new memory there. */
	munmap(m + 768 * PAGE, 256 * PAGE);
	cr_check(mmap(m + 768 * PAGE, 256 * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		 m + 768 * PAGE, "mmap at the old place failed");
	cr_check(zero(m + 768 * PAGE, 256 * PAGE), "new memory not zero");
	/* 1024-1279: read-only now. */
	mprotect(m + 1024 * PAGE, 256 * PAGE, PROT_READ);
	cr_check(range_ok(m, 1024, 1280), "read-only pages differ");
	/* 1280: the kernel reads a page left (write), 1281: writes into one. */
	cr_check(write(fds[1], m + 1280 * PAGE, PAGE) == (ssize_t)PAGE,
		 "write() from a page left failed");
	cr_check(read(fds[0], m + 1281 * PAGE, PAGE) == (ssize_t)PAGE,
		 "read() into a page left failed");
	cr_check(page_ok(m, 1281, 1280), "read() into a page left lost data");
	memcpy(buf, m + 1280 * PAGE, PAGE);
	cr_check(page_ok(buf, 0, 1280), "page 1280 differs");
	/* The rest. */
	cr_check(range_ok(m, 1282, NPAGES), "pages after 1282 differ");
	cr_check(range_ok(m, 0, 256), "pages 0-255 differ in the parent");
	return cr_done();
}
