/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster key (comm/key.c): link traffic between nodes is encrypted
 * and authenticated under it, and a node without it stays out.
 */
#ifndef _KRG_KEY_H
#define _KRG_KEY_H

#include <linux/types.h>
#include <uapi/linux/krg_netlink.h>

/* An AES-256-GCM key and its 4-byte salt, as TIPC takes them. */
#define KRG_KEY_LEN	KRG_CLUSTER_KEY_LEN

int krg_cluster_key_set(const u8 *key, size_t len);
/* Are links encrypted (or will they be, once the key is set)? */
bool krg_links_encrypted(void);

#endif /* _KRG_KEY_H */
