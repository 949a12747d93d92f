// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster key. Link traffic between nodes is encrypted and
 * authenticated with TIPC's AEAD crypto (AES-GCM) under one master key
 * that every node of the cluster holds, and frames that arrive in clear
 * are dropped (tipc_kernel_set_key(), patch 0013): a host without the key
 * can neither join nor inject anything.
 *
 * The key comes from user space, from a root-only file ("krgadm cluster
 * key set FILE", which the node's init runs at boot), never from the
 * kernel command line, which every user can read. The join waits for it
 * between setting this node's TIPC identity and enabling the bearer, so
 * no frame ever leaves in clear. It is kept only until TIPC has it.
 *
 * krg.encrypt=0 on the command line runs the links in clear instead: for
 * a wire no one else can reach, or as a benchmark baseline.
 */
#define pr_fmt(fmt) "krg: " fmt

#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/tipc_kernel.h>
#include <krg/key.h>
#include "comm.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "krg."

static bool encrypt = true;
module_param(encrypt, bool, 0444);

static DEFINE_MUTEX(key_lock);
static u8 pending[KRG_KEY_LEN];	/* given, not yet handed to TIPC */
static bool have_pending, installed;

bool krg_links_encrypted(void)
{
	return encrypt;
}

/**
 * krg_cluster_key_set - the cluster key, from user space
 *
 * Return: 0, -EINVAL (not KRG_KEY_LEN bytes), -EOPNOTSUPP (links in clear:
 * krg.encrypt=0), -EALREADY (a key is set: it changes only at a reboot).
 */
int krg_cluster_key_set(const u8 *key, size_t len)
{
	int err = 0;

	if (len != KRG_KEY_LEN)
		return -EINVAL;
	if (!encrypt)
		return -EOPNOTSUPP;
	mutex_lock(&key_lock);
	if (have_pending || installed) {
		err = -EALREADY;
	} else {
		memcpy(pending, key, len);
		have_pending = true;
	}
	mutex_unlock(&key_lock);
	if (!err)
		krg_join_kick();
	return err;
}

/*
 * Join: hand the key to TIPC, once this node has its TIPC identity.
 * Return: 0 (or links in clear), -ENOKEY while no key was given, or
 * TIPC's error.
 */
int krg_key_install(void)
{
	int err = 0;

	if (!encrypt)
		return 0;
	mutex_lock(&key_lock);
	if (!installed && !have_pending) {
		err = -ENOKEY;
	} else if (!installed) {
		err = tipc_kernel_set_key(&init_net, pending, KRG_KEY_LEN);
		installed = !err;
		memzero_explicit(pending, sizeof(pending));
		have_pending = false;
	}
	mutex_unlock(&key_lock);
	return err;
}
