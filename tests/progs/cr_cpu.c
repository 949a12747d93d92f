/*
 * cr_cpu [N]: a CPU-bound computation in integer and floating point
 * registers; prints READY, then RESULT once done. A checkpoint and
 * restart in the middle must not change RESULT.
 */
#include <math.h>
#include <stdint.h>
#include "cr_common.h"

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000000ULL;
	uint64_t h = 0xcbf29ce484222325ULL;
	double x = 1.0, y = 0.5;

	printf("READY %d\n", getpid());
	fflush(stdout);
	for (uint64_t i = 0; i < n; i++) {
		h = (h ^ i) * 0x100000001b3ULL;
		x = x * 1.0000000001 + y;
		y = sqrt(y + (double)(h & 0xff)) * 0.5;
		if (x > 1e12)
			x -= 1e12;
	}
	printf("RESULT %016llx %.6f %.6f\n", (unsigned long long)h, x, y);
	return 0;
}
