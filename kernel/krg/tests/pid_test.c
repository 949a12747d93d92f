// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the cluster PID layout.
 */
#include <kunit/test.h>
#include <linux/futex.h>
#include <linux/threads.h>
#include <krg/node.h>
#include <krg/pid.h>

static void pid_layout_roundtrip(struct kunit *test)
{
	pid_t pid = krg_pid_make(3, 1234);

	KUNIT_EXPECT_EQ(test, pid, (3 << 22) | 1234);
	KUNIT_EXPECT_EQ(test, krg_pid_node(pid), 3);
	KUNIT_EXPECT_EQ(test, krg_pid_local(pid), 1234);
}

static void pid_layout_fits_futex_and_limit(struct kunit *test)
{
	pid_t top = krg_pid_make(KRG_MAX_NODES - 1, KRG_PID_LOCAL_MAX);

	KUNIT_EXPECT_EQ(test, top & FUTEX_TID_MASK, top);
	KUNIT_EXPECT_LT(test, top, PID_MAX_LIMIT);
	KUNIT_EXPECT_EQ(test, krg_pid_node(top), KRG_MAX_NODES - 1);
	/* Node ranges never overlap, and none holds PID 1 (the reaper). */
	KUNIT_EXPECT_LT(test, krg_pid_make(1, KRG_PID_LOCAL_MAX),
			krg_pid_make(2, 1));
	KUNIT_EXPECT_GT(test, krg_pid_make(1, 1), 1);
}

static struct kunit_case krg_pid_cases[] = {
	KUNIT_CASE(pid_layout_roundtrip),
	KUNIT_CASE(pid_layout_fits_futex_and_limit),
	{}
};

static struct kunit_suite krg_pid_suite = {
	.name = "krg_pid",
	.test_cases = krg_pid_cases,
};
kunit_test_suite(krg_pid_suite);
