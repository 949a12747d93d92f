/* SPDX-License-Identifier: GPL-2.0 */
/* krg control plane: sysfs status and the "krg" generic netlink family. */
#ifndef _KRG_CTL_H
#define _KRG_CTL_H

int krg_sysfs_init(void);
int krg_netlink_init(void);

#endif /* _KRG_CTL_H */
