/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may use the control IPC (ctl.h): the uidgid keys, resolved to ids
 * once at start-up, as corosync resolves them when it reads its config.
 */
#include "ctl/ctl.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/cmap.h"

#define UID_PREFIX "uidgid.uid."
#define GID_PREFIX "uidgid.gid."

struct acl_walk {
	struct tally_ctl_acl *acl;
	char *err;
	size_t errlen;
};

static int resolve(const char *name, bool is_uid, uint32_t *id)
{
	char buf[4096];

	if (tally_parse_u32(name, id) == 0)
		return 0;
	if (is_uid) {
		struct passwd pw, *res = NULL;

		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res != NULL) {
			*id = (uint32_t)res->pw_uid;
			return 0;
		}
	} else {
		struct group gr, *res = NULL;

		if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) == 0 && res != NULL) {
			*id = (uint32_t)res->gr_gid;
			return 0;
		}
	}
	return -ENOENT;
}

static int add_entry(void *ctx, const char *key, const char *value)
{
	struct acl_walk *w = ctx;
	bool is_uid = strncmp(key, UID_PREFIX, strlen(UID_PREFIX)) == 0;
	const char *name = key + strlen(UID_PREFIX);	/* both prefixes have one length */
	uint32_t id;

	(void)value;
	if (resolve(name, is_uid, &id) != 0) {
		snprintf(w->err, w->errlen, "uidgid: unknown %s '%s'", is_uid ? "user" : "group",
			 name);
		return -ENOENT;
	}
	if (is_uid) {
		if (w->acl->n_uids == TALLY_CTL_ACL_MAX)
			return -E2BIG;
		w->acl->uids[w->acl->n_uids++] = (uid_t)id;
	} else {
		if (w->acl->n_gids == TALLY_CTL_ACL_MAX)
			return -E2BIG;
		w->acl->gids[w->acl->n_gids++] = (gid_t)id;
	}
	return 0;
}

int tally_ctl_acl_from_cmap(const struct tally_cmap *map, struct tally_ctl_acl *acl, char *err,
			    size_t errlen)
{
	struct acl_walk w = { acl, err, errlen };
	int rc;

	_Static_assert(sizeof(UID_PREFIX) == sizeof(GID_PREFIX), "prefix lengths");
	memset(acl, 0, sizeof(*acl));
	rc = tally_cmap_foreach(map, UID_PREFIX, add_entry, &w);
	if (rc == 0)
		rc = tally_cmap_foreach(map, GID_PREFIX, add_entry, &w);
	if (rc == -E2BIG)
		snprintf(err, errlen, "uidgid: more than %d users or groups", TALLY_CTL_ACL_MAX);
	return rc;
}
