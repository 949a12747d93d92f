/*
 * cr_memory DIR: memory of every kind survives checkpoint/restart.
 * Private anonymous (big, partly touched), heap (brk), stack, a shared
 * anonymous mapping, a file mapped private (two pages copied-on-write,
 * two still the file's) and shared (in DIR, which the restart node must
 * see; still shared: a write through it reaches the file), read-only and
 * PROT_NONE pages (their protections, as /proc/self/maps shows them, and
 * their content), TLS, the vDSO (at its place, and telling the time the
 * kernel tells), and /proc/self/{cmdline,environ,exe}.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include "cr_common.h"

#define BIG	(32 << 20)
#define PAGE	4096

static __thread uint64_t tls_value = 0x1122334455667788ULL;

static uint64_t pattern(uint64_t i, uint64_t seed)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ seed;
}

/* p[0..n) holds the pattern of @seed from its index @from on. */
static int check_pattern_from(const uint64_t *p, size_t n, size_t from,
			      uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(from + i, seed))
			return 0;
	return 1;
}

static int check_pattern(const uint64_t *p, size_t n, uint64_t seed)
{
	return check_pattern_from(p, n, 0, seed);
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

/* The protections of @addr, as /proc/self/maps shows them, are @want. */
static int protections_are(const void *addr, const char *want)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[512], perms[5] = "";
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
			lo <= a && a < hi;
	if (f)
		fclose(f);
	return found && !strcmp(perms, want);
}

/* The vDSO mapping, where AT_SYSINFO_EHDR says, is the [vdso] of maps. */
static int vdso_in_place(void)
{
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR), start = 0;
	char line[512], perms[5];
	FILE *f = fopen("/proc/self/maps", "r");
	int ok = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]"))
			ok = sscanf(line, "%lx-%*x %4s", &start, perms) == 2 &&
			     start == ehdr && !strcmp(perms, "r-xp");
	if (f)
		fclose(f);
	return ok && ehdr;
}

/* A symbol of the vDSO, found through its dynamic section. */
static void *vdso_sym(const char *name)
{
	const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Phdr *ph;
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const Elf32_Word *hash = NULL;
	const char *str = NULL;
	uintptr_t bias = 0;

	if (!eh)
		return NULL;
	ph = (const void *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !bias)
			bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)((const char *)eh + ph[i].p_offset);
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(bias + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(bias + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const void *)(bias + dyn->d_un.d_ptr);
	}
	for (Elf32_Word i = 0; sym && str && hash && i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF &&
		    !strcmp(str + sym[i].st_name, name))
			return (void *)(bias + sym[i].st_value);
	return NULL;
}

static double secs(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

/*
 * clock_gettime(@clock) of the vDSO comes between two of the system call:
 * its data page is this kernel's (1 ms of slack for the conversions).
 */
static int vdso_time_right(clockid_t clock, double *vdso, double *sys)
{
	int (*vdso_gettime)(clockid_t, struct timespec *) =
		(int (*)(clockid_t, struct timespec *))
		vdso_sym("__vdso_clock_gettime");
	struct timespec before, t, after;

	*vdso = *sys = 0;
	if (!vdso_gettime ||
	    syscall(SYS_clock_gettime, clock, &before) ||
	    vdso_gettime(clock, &t) ||
	    syscall(SYS_clock_gettime, clock, &after))
		return 0;
	*vdso = secs(&t);
	*sys = secs(&before);
	return secs(&before) - 0.001 <= secs(&t) &&
	       secs(&t) <= secs(&after) + 0.001;
}

/* The file at @path holds, over @n words, the pattern of @seed. */
static int file_holds(const char *path, size_t n, uint64_t seed)
{
	static uint64_t buf[4 * 4096 / 8];
	int fd = open(path, O_RDONLY);
	int ok = fd >= 0 && n <= sizeof(buf) / 8 &&
		 pread(fd, buf, n * 8, 0) == (ssize_t)(n * 8) &&
		 check_pattern(buf, n, seed);

	if (fd >= 0)
		close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	char path[512], cmdline[4096], cmdline2[4096], env[8192], env2[8192];
	char exe[512], exe2[512];
	uint64_t stack_area[512];
	size_t ncmd, nenv, i;
	double vdso, sys;
	ssize_t nexe;
	int fd, ok;

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
	/* Pages 0 and 2 are copied on write; 1 and 3 are still the file's. */
	fill(fpriv, PAGE / 8, 17);
	fill(fpriv + 2 * PAGE / 8, PAGE / 8, 37);
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
	cr_check(check_pattern(fpriv, PAGE / 8, 17), "private file page 0");
	cr_check(check_pattern_from(fpriv + PAGE / 8, PAGE / 8, PAGE / 8, 13),
		 "private file page 1 (the file's)");
	cr_check(check_pattern(fpriv + 2 * PAGE / 8, PAGE / 8, 37),
		 "private file page 2");
	cr_check(check_pattern_from(fpriv + 3 * PAGE / 8, PAGE / 8,
				    3 * PAGE / 8, 13),
		 "private file page 3 (the file's)");
	cr_check(check_pattern(fshared, 4 * PAGE / 8, 13), "shared file");
	cr_check(file_holds(path, 4 * PAGE / 8, 13), "the file itself");
	/* Still shared: a write through the mapping reaches the file... */
	fill(fshared, 4 * PAGE / 8, 31);
	cr_check(msync(fshared, 4 * PAGE, MS_SYNC) == 0 &&
		 file_holds(path, 4 * PAGE / 8, 31),
		 "a write through the shared mapping reaches the file");
	/* ...and not the private copies. */
	cr_check(check_pattern(fpriv, PAGE / 8, 17) &&
		 check_pattern(fpriv + 2 * PAGE / 8, PAGE / 8, 37),
		 "private file pages stay private");
	cr_check(protections_are(ro, "r--p"), "read-only page is r--p");
	cr_check(protections_are(none, "---p"), "PROT_NONE page is ---p");
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
	cr_check(vdso_in_place(), "vDSO at %#lx", getauxval(AT_SYSINFO_EHDR));
	ok = vdso_time_right(CLOCK_MONOTONIC, &vdso, &sys);
	cr_check(ok, "vDSO CLOCK_MONOTONIC %.6f, the kernel's %.6f", vdso, sys);
	ok = vdso_time_right(CLOCK_REALTIME, &vdso, &sys);
	cr_check(ok, "vDSO CLOCK_REALTIME %.6f, the kernel's %.6f", vdso, sys);
	/* Memory still works: grow the heap, map more. */
	uint64_t *more = malloc(8 << 20);
	fill(more, (8 << 20) / 8, 29);
	cr_check(check_pattern(more, (8 << 20) / 8, 29), "new memory");
	return cr_done();
}
