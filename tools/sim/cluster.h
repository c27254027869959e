/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A simulated cluster for tally-sim: real quorum cores, one per node, over a
 * simulated network with a virtual clock. Deterministic: no threads, no
 * sleeping, randomness only from the seeded generator.
 *
 * Membership is the real protocol (engine/core/membership) over simulated
 * links with latency, jitter, loss, partitions and one-way blocks, or, for
 * comparison, an oracle that computes views from the connectivity graph and
 * installs them at once.
 */
#ifndef TALLY_SIM_CLUSTER_H
#define TALLY_SIM_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <corosync/votequorum.h>

#define SIM_MAX_NODES 1024
#define SIM_SETTLE_LIMIT_MS 60000u

struct sim_cluster;

enum sim_membership {
	SIM_MEMBERSHIP_ORACLE,		/**< views computed from the connectivity graph */
	SIM_MEMBERSHIP_PROTOCOL,	/**< engine/core/membership over the simulated network */
};

/*
 * Real-world timing for the protocol membership (all 0: the defaults, a
 * quick and even network). Everything is drawn from the seed.
 */
struct sim_timing {
	uint32_t delay_us;	/**< one-way frame latency (0: 20) */
	uint32_t jitter_us;	/**< added at random per copy (0: 10) */
	uint32_t wake_us;	/**< a timer runs up to this late (an idle node sleeping) */
	uint32_t stall_rate;	/**< stalls per node per second of virtual time */
	uint32_t stall_max_us;	/**< a stall lasts 0.5 ms .. this; nothing runs meanwhile */
	uint32_t start_stall_us;	/**< a started node stalls up to this after its first tick */
	bool skew;		/**< nodes started together tick at random phases */
};

struct sim_params {
	enum sim_membership membership;
	uint64_t seed;
	FILE *narrate;		/**< NULL: quiet */
	struct sim_timing timing;
	uint32_t small_view;	/**< membership: larger views use the expander (0: default) */
};

struct sim_cluster *sim_cluster_new(const struct sim_params *p);
void sim_cluster_free(struct sim_cluster *c);

/* Cluster definition, before the first start. 0 or -EINVAL/-ENOMEM. */
int sim_add_node(struct sim_cluster *c, uint32_t id, uint32_t votes);
int sim_config(struct sim_cluster *c, const char *key, const char *value);
/* The expected-votes-tracking file of every node holds `value` before start. */
void sim_evt_file(struct sim_cluster *c, uint32_t value);

uint64_t sim_now(const struct sim_cluster *c);
bool sim_running(const struct sim_cluster *c, uint32_t id);
/* Running node ids in ascending order; returns the count. */
size_t sim_running_ids(const struct sim_cluster *c, uint32_t *ids, size_t max);

/* Events. Each one settles the cluster; -ETIMEDOUT if it did not settle. */
int sim_start(struct sim_cluster *c, const uint32_t *ids, size_t n, char *err, size_t errlen);
int sim_kill(struct sim_cluster *c, const uint32_t *ids, size_t n);
int sim_stop(struct sim_cluster *c, const uint32_t *ids, size_t n);
/* groups: `n_groups` lists; unlisted running nodes form one more group. */
int sim_partition(struct sim_cluster *c, const uint32_t *const *groups, const size_t *sizes,
		  size_t n_groups);
int sim_block(struct sim_cluster *c, uint32_t from, uint32_t to, bool blocked);
int sim_loss(struct sim_cluster *c, unsigned pct);
int sim_heal(struct sim_cluster *c);
int sim_advance(struct sim_cluster *c, uint64_t ms);
int sim_set(struct sim_cluster *c, uint32_t id, const char *key, const char *value);
int sim_unset(struct sim_cluster *c, uint32_t id, const char *key);

/* API calls on node `id` (library-side checks included); the cluster settles after. */
enum sim_call {
	SIM_CALL_SETEXPECTED,
	SIM_CALL_SETVOTES,
	SIM_CALL_GETINFO,
	SIM_CALL_QDEVICE_REGISTER,
	SIM_CALL_QDEVICE_UNREGISTER,
	SIM_CALL_QDEVICE_UPDATE,
	SIM_CALL_QDEVICE_POLL,
	SIM_CALL_QDEVICE_MASTER_WINS,
	SIM_CALL_CANCEL_WAIT_FOR_ALL,
};

struct sim_call_args {
	enum sim_call op;
	uint32_t a, b;		/**< numbers: expected / nodeid+votes / cast / allow */
	const char *name;
	const char *name2;
	int64_t ring_offset;	/**< poll: added to the current ring seq */
};

cs_error_t sim_call(struct sim_cluster *c, uint32_t id, const struct sim_call_args *args);

/* State of running node `id`. */
cs_error_t sim_getinfo(struct sim_cluster *c, uint32_t id, uint32_t nodeid,
		       struct votequorum_info *info);
size_t sim_members(struct sim_cluster *c, uint32_t id, const uint32_t **members);
votequorum_ring_id_t sim_ring_id(struct sim_cluster *c, uint32_t id);
bool sim_quorate(struct sim_cluster *c, uint32_t id);

/* Change the timing model from now on. */
void sim_set_timing(struct sim_cluster *c, const struct sim_timing *t);
/*
 * Views node `id` installed in its current life, and that life's number
 * (grows on every start): the simulator counts view changes per fault.
 */
uint64_t sim_views_installed(const struct sim_cluster *c, uint32_t id);
uint64_t sim_incarnation(const struct sim_cluster *c, uint32_t id);

/* The tracker log of node `id`: "nodelist(1,2)", "quorum(1)", "expectedvotes(5)". */
size_t sim_callbacks(struct sim_cluster *c, uint32_t id, const char *const **entries);
void sim_forget_callbacks(struct sim_cluster *c, uint32_t id);
void sim_forget_all_callbacks(struct sim_cluster *c);

#endif
