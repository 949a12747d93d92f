/*
 * cr_cpu [N]: a CPU-bound computation in integer and floating point
 * registers. With N, it makes exactly N steps; without, it steps until
 * SIGUSR1 (checkpoint and restart happen meanwhile, in the middle of the
 * computation). Either way it prints "RESULT steps hash x y": the same
 * steps must give the same result, restarted or not.
 */
#include <math.h>
#include <stdint.h>
#include "cr_common.h"

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : UINT64_MAX;
	uint64_t h = 0xcbf29ce484222325ULL, i;
	double x = 1.0, y = 0.5;

	signal(SIGUSR1, cr_on_usr1);
	printf("READY %d\n", getpid());
	fflush(stdout);
	for (i = 0; i < n && !cr_go; i++) {
		h = (h ^ i) * 0x100000001b3ULL;
		x = x * 1.0000000001 + y;
		y = sqrt(y + (double)(h & 0xff)) * 0.5;
		if (x > 1e12)
			x -= 1e12;
	}
	printf("RESULT %llu %016llx %.6f %.6f\n", (unsigned long long)i,
	       (unsigned long long)h, x, y);
	return 0;
}
