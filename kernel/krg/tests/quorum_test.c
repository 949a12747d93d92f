// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the majority rule that declares a node dead (comm/quorum.c).
 */
#include <kunit/test.h>
#include <krg/nodemask.h>
#include "../comm/comm.h"

static bool declares(const char *votes, const char *reachable,
		     const char *members)
{
	struct krg_nodemask v, r, m;

	if (krg_nodemask_parse(votes, &v) || krg_nodemask_parse(reachable, &r) ||
	    krg_nodemask_parse(members, &m))
		return false;
	return krg_quorum_declares(&v, &r, &m);
}

/* Do the nodes of @set make a majority of @members? */
static bool majority_of(const char *set, const char *members)
{
	return declares(set, set, members);
}

static void quorum_odd_membership(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, majority_of("1-2", "1-3"));
	KUNIT_EXPECT_TRUE(test, majority_of("2-3", "1-3"));
	KUNIT_EXPECT_FALSE(test, majority_of("3", "1-3"));
	KUNIT_EXPECT_FALSE(test, majority_of("1", "1-3"));
	KUNIT_EXPECT_TRUE(test, majority_of("1", "1"));
	KUNIT_EXPECT_FALSE(test, majority_of("", "1"));
}

/* Half wins only with the lowest member, so two halves never both win. */
static void quorum_even_membership(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, majority_of("1,3", "1-4"));
	KUNIT_EXPECT_FALSE(test, majority_of("2,4", "1-4"));
	KUNIT_EXPECT_TRUE(test, majority_of("2-4", "1-4"));
	KUNIT_EXPECT_TRUE(test, majority_of("5,7,9", "5-10"));
	KUNIT_EXPECT_FALSE(test, majority_of("6,8,10", "5-10"));
}

/* Two nodes: either alone may go on; the fence decides. */
static void quorum_two_nodes(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, majority_of("1", "1-2"));
	KUNIT_EXPECT_TRUE(test, majority_of("2", "1-2"));
	KUNIT_EXPECT_FALSE(test, majority_of("", "1-2"));
}

/* Votes of nodes that are not members do not count. */
static void quorum_counts_members_only(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, majority_of("3,7-9", "1-3"));
	KUNIT_EXPECT_TRUE(test, majority_of("1-2,7-9", "1-3"));
}

/*
 * A member that went silent keeps no say: node 3 crashed after it last
 * suspected node 1, and node 2 doubts node 1 for a moment; node 1 is not
 * declared. Node 3 itself, suspected by 1 and 2, is.
 */
static void quorum_silent_members_do_not_vote(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, declares("2-3", "1-2", "1-3"));
	KUNIT_EXPECT_TRUE(test, declares("2-3", "1-3", "1-3"));
	KUNIT_EXPECT_TRUE(test, declares("1-2", "1-2", "1-3"));
	/* Four members, one crashed: the three others must all agree. */
	KUNIT_EXPECT_TRUE(test, declares("1,3-4", "1,3-4", "1-4"));
	KUNIT_EXPECT_FALSE(test, declares("3-4", "1,3-4", "1-4"));
}

static struct kunit_case quorum_cases[] = {
	KUNIT_CASE(quorum_odd_membership),
	KUNIT_CASE(quorum_even_membership),
	KUNIT_CASE(quorum_two_nodes),
	KUNIT_CASE(quorum_counts_members_only),
	KUNIT_CASE(quorum_silent_members_do_not_vote),
	{}
};

static struct kunit_suite quorum_suite = {
	.name = "krg_quorum",
	.test_cases = quorum_cases,
};
kunit_test_suite(quorum_suite);
