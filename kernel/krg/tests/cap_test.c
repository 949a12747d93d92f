// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: Kerrighed capability inheritance and change rules.
 */
#include <kunit/test.h>
#include <krg/cap.h>

#define C(cap) BIT(KRG_CAP_##cap)

static void inherit_rule(struct kunit *test)
{
	struct krg_cap_sets parent = {
		.effective = C(CAN_MIGRATE),
		.permitted = KRG_CAP_ALL,
		.inheritable_effective = C(CHECKPOINTABLE) | C(DISTANT_FORK),
		.inheritable_permitted = C(CHECKPOINTABLE) | C(CAN_MIGRATE),
	}, child;

	krg_cap_inherit(&parent, &child);
	KUNIT_EXPECT_EQ(test, child.permitted, parent.inheritable_permitted);
	KUNIT_EXPECT_EQ(test, child.effective, (u32)C(CHECKPOINTABLE));
	KUNIT_EXPECT_EQ(test, child.inheritable_effective,
			parent.inheritable_effective);
	KUNIT_EXPECT_EQ(test, child.inheritable_permitted,
			parent.inheritable_permitted);
}

static const struct krg_cap_sets user = {
	.effective = C(CHANGE_KERRIGHED_CAP),
	.permitted = C(CHANGE_KERRIGHED_CAP) | C(CAN_MIGRATE) |
		     C(CHECKPOINTABLE),
	.inheritable_effective = C(CHANGE_KERRIGHED_CAP),
	.inheritable_permitted = C(CHANGE_KERRIGHED_CAP) | C(CHECKPOINTABLE),
};

static void shrink_always_allowed(struct kunit *test)
{
	struct krg_cap_sets new = user;

	new.permitted &= ~C(CAN_MIGRATE);
	new.inheritable_permitted = 0;
	new.inheritable_effective = 0;
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, false,
						   false), 0);
}

static void permitted_grows_only_for_admin(struct kunit *test)
{
	struct krg_cap_sets new = user;

	new.permitted |= C(DISTANT_FORK);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, false,
						   false), -EPERM);
	new = user;
	new.permitted |= C(DISTANT_FORK);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, true,
						   false), 0);
}

static void effective_grows_with_change_cap(struct kunit *test)
{
	struct krg_cap_sets old = user, new;

	new = old;
	new.effective |= C(CHECKPOINTABLE);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&old, &new, 0, false,
						   false), 0);
	old.effective = 0;
	new = old;
	new.effective |= C(CHECKPOINTABLE);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&old, &new, 0, false,
						   false), -EPERM);
}

static void effective_stays_within_permitted(struct kunit *test)
{
	struct krg_cap_sets new = user;

	new.effective |= C(DISTANT_FORK);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, true,
						   false), -EINVAL);
	/* Shrinking permitted under effective: refused, or clipped by force. */
	new = user;
	new.permitted = 0;
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, false,
						   false), -EINVAL);
	new = user;
	new.permitted = 0;
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, false,
						   true), 0);
	KUNIT_EXPECT_EQ(test, new.effective, 0U);
	/* Inheritable effective may exceed inheritable permitted. */
	new = user;
	new.inheritable_effective |= C(DISTANT_FORK);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, false,
						   false), 0);
}

static void in_use_cannot_be_dropped(struct kunit *test)
{
	struct krg_cap_sets old = user, new;

	old.effective |= C(CHECKPOINTABLE);
	new = old;
	new.effective &= ~C(CHECKPOINTABLE);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&old, &new,
						   C(CHECKPOINTABLE), true,
						   true), -EBUSY);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&old, &new, C(CAN_MIGRATE),
						   false, false), 0);
}

static void unknown_bits_rejected(struct kunit *test)
{
	struct krg_cap_sets new = user;

	new.inheritable_permitted |= BIT(KRG_CAP_NR);
	KUNIT_EXPECT_EQ(test, krg_cap_check_change(&user, &new, 0, true,
						   false), -EINVAL);
}

static struct kunit_case krg_cap_cases[] = {
	KUNIT_CASE(inherit_rule),
	KUNIT_CASE(shrink_always_allowed),
	KUNIT_CASE(permitted_grows_only_for_admin),
	KUNIT_CASE(effective_grows_with_change_cap),
	KUNIT_CASE(effective_stays_within_permitted),
	KUNIT_CASE(in_use_cannot_be_dropped),
	KUNIT_CASE(unknown_bits_rejected),
	{}
};

static struct kunit_suite krg_cap_suite = {
	.name = "krg_cap",
	.test_cases = krg_cap_cases,
};
kunit_test_suite(krg_cap_suite);
