/* SPDX-License-Identifier: BSD-3-Clause */
/* Who may use the control IPC: uidgid keys resolved to ids (engine/ctl/acl.c). */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "config/cmap.h"
#include "ctl/ctl.h"

static void unknown_names_and_too_many_are_refused(void)
{
	struct tally_cmap *m = tally_cmap_new();
	struct tally_ctl_acl acl;
	char err[128] = "", key[64];

	tally_cmap_set(m, "uidgid.uid.no-such-user-here", "1");
	CHECK_EQ(tally_ctl_acl_from_cmap(m, &acl, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "no-such-user-here") != NULL);
	tally_cmap_unset(m, "uidgid.uid.no-such-user-here");
	tally_cmap_set(m, "uidgid.gid.no-such-group-here", "1");
	CHECK_EQ(tally_ctl_acl_from_cmap(m, &acl, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "group") != NULL);
	tally_cmap_unset(m, "uidgid.gid.no-such-group-here");
	for (int i = 0; i <= TALLY_CTL_ACL_MAX; i++) {
		snprintf(key, sizeof(key), "uidgid.uid.%d", 1000 + i);
		tally_cmap_set(m, key, "1");
	}
	CHECK_EQ(tally_ctl_acl_from_cmap(m, &acl, err, sizeof(err)), -E2BIG);
	tally_cmap_free(m);
}

static void names_and_numbers_resolve(void)
{
	struct tally_cmap *m = tally_cmap_new();
	struct tally_ctl_acl acl;
	char err[128];

	CHECK_EQ(tally_ctl_acl_from_cmap(m, &acl, err, sizeof(err)), 0);
	CHECK_EQ(acl.n_uids + acl.n_gids, 0);
	tally_cmap_set(m, "uidgid.uid.root", "1");
	tally_cmap_set(m, "uidgid.uid.4242", "1");
	tally_cmap_set(m, "uidgid.gid.nogroup", "1");
	CHECK_EQ(tally_ctl_acl_from_cmap(m, &acl, err, sizeof(err)), 0);
	CHECK_EQ(acl.n_uids, 2);
	CHECK(acl.uids[0] == 4242 || acl.uids[1] == 4242);
	CHECK(acl.uids[0] == 0 || acl.uids[1] == 0);
	CHECK_EQ(acl.n_gids, 1);
	CHECK(getgrnam("nogroup") != NULL && acl.gids[0] == getgrnam("nogroup")->gr_gid);
	tally_cmap_free(m);
}

int main(void)
{
	RUN(unknown_names_and_too_many_are_refused);
	RUN(names_and_numbers_resolve);
	return CHECK_EXIT();
}
