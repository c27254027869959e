/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * votequorum's view of the configuration: the `quorum { }` and `nodelist { }`
 * keys gathered from a cmap (spec §3.2), and the start-up/runtime derivation
 * with its conflict checks (spec §3.3, §3.4). Pure functions: the caller
 * passes in everything that corosync would read from disk or from its own
 * runtime state.
 */
#ifndef TALLY_CORE_CONFIG_VOTEQUORUM_CFG_H
#define TALLY_CORE_CONFIG_VOTEQUORUM_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tally_cmap;

#define TALLY_VQ_ATB_LIST_MAX 1024
#define TALLY_VQ_DEFAULT_LMS_WINDOW 10000u
#define TALLY_VQ_DEFAULT_DEVICE_TIMEOUT 10000u
#define TALLY_VQ_DEFAULT_DEVICE_SYNC_TIMEOUT 30000u

/* Values of runtime.votequorum.atb_type. */
enum tally_atb_mode {
	TALLY_ATB_NONE = 0,
	TALLY_ATB_LOWEST = 1,
	TALLY_ATB_HIGHEST = 2,
	TALLY_ATB_LIST = 3,
};

/* What the configuration says, type-checked but not yet reconciled. */
struct tally_vq_settings {
	uint32_t local_nodeid;
	bool have_nodelist;	/**< the local node is in the nodelist */
	uint32_t node_count;	/**< nodelist entries */
	uint32_t nodelist_sum;	/**< Σ quorum_votes over the nodelist */
	uint32_t my_votes;	/**< the local entry's quorum_votes */
	uint32_t expected_votes;	/**< quorum.expected_votes, 0 = unset */
	uint32_t quorum_votes;	/**< quorum.votes (used without a nodelist) */
	bool two_node;
	int wait_for_all;	/**< -1 unset, else 0/1 */
	bool last_man_standing;
	uint32_t lms_window;	/**< ms */
	bool auto_tie_breaker;
	enum tally_atb_mode atb_mode;	/**< NONE when the node string was invalid */
	bool atb_string_invalid;
	uint32_t atb_list_len;
	uint32_t atb_list[TALLY_VQ_ATB_LIST_MAX];
	bool allow_downscale;
	bool ev_tracking;
	bool have_qdevice;	/**< quorum.device.model is non-empty */
	bool device_votes_set;
	uint32_t device_votes;
	uint32_t device_timeout;	/**< ms */
	uint32_t device_sync_timeout;	/**< ms */
};

/*
 * Gather the settings for node `local_nodeid`. Returns 0, or -EINVAL with a
 * one-line reason in err: a value that is not a number in range, a nodelist
 * entry without a valid or unique nodeid.
 */
int tally_vq_settings_read(const struct tally_cmap *map, uint32_t local_nodeid,
			   struct tally_vq_settings *out, char *err, size_t errlen);

/* Runtime facts the reload rules depend on (spec §3.4, right column). */
struct tally_vq_runtime {
	bool qdevice_registered;	/**< the local node has a registered device */
	/* Start-up values of the keys that cannot change at runtime. */
	bool wait_for_all;
	bool wait_for_all_explicit;
	bool last_man_standing;
	bool allow_downscale;
	bool ev_tracking;
	enum tally_atb_mode initial_atb;
};

/* Severity of a derivation message (corosync logs these as CRIT/WARNING). */
enum tally_vq_note_level {
	TALLY_VQ_NOTE_CRIT,
	TALLY_VQ_NOTE_WARNING,
};

typedef void (*tally_vq_note_fn)(void *ctx, enum tally_vq_note_level level, const char *text);

/* The reconciled configuration votequorum runs with. */
struct tally_vq_effective {
	bool two_node;
	bool wait_for_all;
	bool wait_for_all_explicit;
	bool last_man_standing;
	uint32_t lms_window;
	enum tally_atb_mode atb;
	bool allow_downscale;
	bool ev_tracking;
	bool qdevice_can_operate;
	bool have_qdevice;
	uint32_t device_timeout;
	uint32_t device_sync_timeout;
	bool device_votes_known;	/**< false: keep the device votes as they are */
	uint32_t device_votes;
	uint32_t my_votes;
	uint32_t expected_votes;	/**< the local node's expected votes */
	bool keep_runtime;	/**< runtime reload with neither nodelist nor expected_votes */
};

/*
 * Derive the effective configuration (spec §3.3 steps 2–13, §3.4).
 *
 * rt == NULL means start-up: conflicts are fatal and return -EINVAL with
 * corosync's message in err. With rt, conflicts are resolved as corosync
 * does on reload (device operation off, two_node off, ...) and reported
 * through note(). `ev_barrier` is the expected-votes-tracking barrier
 * (loaded from disk at start-up, current at runtime).
 */
int tally_vq_derive(const struct tally_vq_settings *s, const struct tally_vq_runtime *rt,
		    uint32_t ev_barrier, struct tally_vq_effective *out, tally_vq_note_fn note,
		    void *note_ctx, char *err, size_t errlen);

#endif
