// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: node sets, list format, and node/session id parsing.
 */
#include <kunit/test.h>
#include <krg/nodemask.h>

static void nodemask_format_ranges(struct kunit *test)
{
	struct krg_nodemask m;
	char buf[64];

	krg_nodemask_clear(&m);
	krg_nodemask_format(buf, sizeof(buf), &m);
	KUNIT_EXPECT_STREQ(test, buf, "");

	krg_node_set(1, &m);
	krg_node_set(2, &m);
	krg_node_set(3, &m);
	krg_node_set(5, &m);
	krg_node_set(255, &m);
	krg_nodemask_format(buf, sizeof(buf), &m);
	KUNIT_EXPECT_STREQ(test, buf, "1-3,5,255");
	KUNIT_EXPECT_EQ(test, krg_nodemask_weight(&m), 5U);
}

static void nodemask_format_truncates(struct kunit *test)
{
	struct krg_nodemask m;
	char buf[4];
	int len;

	krg_nodemask_clear(&m);
	krg_node_set(10, &m);
	krg_node_set(20, &m);
	len = krg_nodemask_format(buf, sizeof(buf), &m);
	KUNIT_EXPECT_EQ(test, len, 3);
	KUNIT_EXPECT_EQ(test, buf[3], '\0');
}

static void nodemask_parse_roundtrip(struct kunit *test)
{
	struct krg_nodemask m;
	char buf[64];

	KUNIT_ASSERT_EQ(test, krg_nodemask_parse("1-3,5,200-201", &m), 0);
	KUNIT_EXPECT_TRUE(test, krg_node_isset(1, &m));
	KUNIT_EXPECT_TRUE(test, krg_node_isset(3, &m));
	KUNIT_EXPECT_FALSE(test, krg_node_isset(4, &m));
	KUNIT_EXPECT_TRUE(test, krg_node_isset(201, &m));
	krg_nodemask_format(buf, sizeof(buf), &m);
	KUNIT_EXPECT_STREQ(test, buf, "1-3,5,200-201");

	KUNIT_ASSERT_EQ(test, krg_nodemask_parse("", &m), 0);
	KUNIT_EXPECT_EQ(test, krg_nodemask_weight(&m), 0U);
}

static void nodemask_parse_rejects(struct kunit *test)
{
	struct krg_nodemask m;

	KUNIT_EXPECT_EQ(test, krg_nodemask_parse("256", &m), -ERANGE);
	KUNIT_EXPECT_EQ(test, krg_nodemask_parse("3-1", &m), -EINVAL);
	KUNIT_EXPECT_EQ(test, krg_nodemask_parse("a", &m), -EINVAL);
	KUNIT_EXPECT_NE(test, krg_nodemask_parse("1,,x", &m), 0);
}

static void node_id_parse(struct kunit *test)
{
	int node = -1;
	u32 session = 0;

	KUNIT_EXPECT_EQ(test, krg_parse_node_id("7", &node), 0);
	KUNIT_EXPECT_EQ(test, node, 7);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id("255", &node), 0);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id("0", &node), -ERANGE);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id("256", &node), -ERANGE);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id("-1", &node), -EINVAL);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id("abc", &node), -EINVAL);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id("", &node), -EINVAL);
	KUNIT_EXPECT_EQ(test, krg_parse_node_id(NULL, &node), -EINVAL);
	KUNIT_EXPECT_EQ(test, node, 255);

	KUNIT_EXPECT_EQ(test, krg_parse_session_id("9999", &session), 0);
	KUNIT_EXPECT_EQ(test, session, 9999U);
	KUNIT_EXPECT_EQ(test, krg_parse_session_id("10000", &session), -ERANGE);
	KUNIT_EXPECT_EQ(test, krg_parse_session_id("0", &session), -ERANGE);
	KUNIT_EXPECT_EQ(test, krg_parse_session_id("1x", &session), -EINVAL);
}

static struct kunit_case krg_nodemask_cases[] = {
	KUNIT_CASE(nodemask_format_ranges),
	KUNIT_CASE(nodemask_format_truncates),
	KUNIT_CASE(nodemask_parse_roundtrip),
	KUNIT_CASE(nodemask_parse_rejects),
	KUNIT_CASE(node_id_parse),
	{}
};

static struct kunit_suite krg_nodemask_suite = {
	.name = "krg_nodemask",
	.test_cases = krg_nodemask_cases,
};
kunit_test_suite(krg_nodemask_suite);
