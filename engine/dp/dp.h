/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath (DESIGN.md §2, docs/design/datapath.md): EAL start-up from
 * the `engine { }` config section, one port from a DPDK devargs string, and
 * a run-to-completion loop per lcore:
 *
 *   rx burst -> Ethernet filter (eth.h) -> ops->rx per frame
 *            -> ops->tick when the caller's deadline is due
 *            -> tx burst of the frames queued meanwhile -> idle policy
 *
 * Nothing in the loop locks, allocates, logs or makes a syscall; the one
 * exception is the adaptive idle policy's sleep, taken only when there was
 * no work for idle_spin_us. Frames that cannot be received or sent are
 * counted, never fatal.
 *
 * Threads: tally_dp_eal_init and tally_dp_open run once, on the main
 * thread, before the loop. A struct tally_dp belongs to the lcore that
 * polls it; only tally_dp_stop may be called from elsewhere (another
 * thread or a signal handler).
 */
#ifndef TALLY_DP_H
#define TALLY_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cmap.h"
#include "wire/eth.h"

#define TALLY_DP_BURST 32
#define TALLY_DP_PORT_MAX 256
#define TALLY_DP_EAL_ARGS_MAX 512

enum tally_dp_idle {
	TALLY_DP_IDLE_BUSY = 0, /**< poll without pause: a dedicated core */
	TALLY_DP_IDLE_ADAPTIVE, /**< poll idle_spin_us after work, then sleep idle_sleep_us */
	TALLY_DP_IDLE_EVENT,	/**< poll idle_spin_us after work, then wait in poll(2) for a
				     frame or the next deadline (af_packet ports) */
	TALLY_DP_IDLE_COUNT
};

/* engine.idle's word for `idle`. */
const char *tally_dp_idle_name(enum tally_dp_idle idle);

/* The engine.* keys (defaults in brackets), see docs/design/datapath.md. */
struct tally_dp_cfg {
	uint32_t lcore;			      /**< engine.lcore [0]: the CPU to poll on */
	char cpus[32]; /**< engine.cpus [""]: CPUs the lcore may move between ("0-1") */
	char eal_args[TALLY_DP_EAL_ARGS_MAX]; /**< engine.eal_args [""]: appended to ours */
	char port[TALLY_DP_PORT_MAX];	      /**< engine.port: devargs or PCI address */
	enum tally_dp_idle idle;	      /**< engine.idle [adaptive] */
	uint32_t idle_spin_us;		      /**< engine.idle_spin_us [200] */
	uint32_t idle_sleep_us;		      /**< engine.idle_sleep_us [50] */
	uint32_t mbufs;			      /**< engine.mbufs [2047] */
	uint32_t memory_mb;		      /**< engine.memory [32]: EAL heap, -m */
	uint8_t group[TALLY_ETH_ADDR_LEN];    /**< engine.multicast [03:74:6c:79:00:00] */
};

/*
 * Fill cfg from the engine.* keys of map, defaults for absent keys.
 * 0, or -EINVAL with one line naming the key (and its file:line) in err.
 */
int tally_dp_cfg_from_cmap(struct tally_dp_cfg *cfg, const struct tally_cmap *map, char *err,
			   size_t errlen);

#define TALLY_DP_EAL_ARGV_MAX 64

/* The EAL's argv, with the storage its words point into. */
struct tally_dp_eal_argv {
	char *argv[TALLY_DP_EAL_ARGV_MAX + 1]; /**< NULL-terminated */
	int argc;
	char mem[16], lcore[64], dev[TALLY_DP_PORT_MAX + 8];
	char words[TALLY_DP_EAL_ARGS_MAX];
};

/*
 * Build the arguments tally_dp_eal_init passes (below). Pure. 0, or
 * -E2BIG when engine.eal_args has too many words.
 */
int tally_dp_eal_argv(struct tally_dp_eal_argv *a, const struct tally_dp_cfg *cfg,
		      const char *prog);

/*
 * Start the EAL (once per process: it cannot be restarted, PLATFORM.md §1)
 * with --no-huge -m MEM --no-shconf --no-telemetry -l LCORE, plus --no-pci
 * and --vdev=PORT for a virtual port, or -a PORT for a PCI address, then
 * cfg->eal_args. 0 or -errno with a message in err.
 */
int tally_dp_eal_init(const struct tally_dp_cfg *cfg, const char *prog, char *err, size_t errlen);

struct tally_dp;

/*
 * Open a port: port_id >= 0 uses an existing ethdev (e.g. made with
 * rte_eth_from_rings), port_id < 0 the one cfg->port named. Makes the
 * mempool (pool_name unique per process), one rx and one tx queue, starts
 * the port. NULL with errno and a message in err.
 */
struct tally_dp *tally_dp_open(const struct tally_dp_cfg *cfg, int port_id, const char *pool_name,
			       char *err, size_t errlen);
/*
 * A port without an ethdev, for many virtual nodes in one process
 * (RTE_MAX_ETHPORTS is 32; bench/vnodes.c): frames arrive on rx and leave on
 * tx, rte_rings of mbufs that this dp alone dequeues from and enqueues to,
 * mbufs come from pool (the caller's, not freed here), our address is mac.
 * NULL with errno and a message in err.
 */
struct rte_ring;
struct rte_mempool;
struct tally_dp *tally_dp_open_rings(const struct tally_dp_cfg *cfg, struct rte_ring *rx,
				     struct rte_ring *tx, struct rte_mempool *pool,
				     const uint8_t mac[TALLY_ETH_ADDR_LEN], char *err,
				     size_t errlen);
void tally_dp_close(struct tally_dp *dp);

/* Per-lcore counters: written by the polling lcore only; a copy from tally_dp_counters. */
struct tally_dp_counters {
	uint64_t rx;				    /**< frames received from the port */
	uint64_t rx_delivered;			    /**< handed to ops->rx */
	uint64_t filtered[TALLY_ETH_VERDICT_COUNT]; /**< dropped by the filter, by reason */
	uint64_t tx;				    /**< accepted by the port */
	uint64_t tx_drop; /**< refused by the port, or no mbuf / queue room */
	uint64_t iterations;
	uint64_t busy_cycles; /**< TSC in iterations that did work */
	uint64_t idle_cycles; /**< TSC in iterations that did none, sleeps included */
	uint64_t sleeps;      /**< sleeps or waits taken (idle_sleep) */
	uint64_t wakes;	      /**< engine.idle: event: waits a frame ended */
};

struct tally_dp_ops {
	/*
	 * One filtered frame: the wire payload after the Ethernet header, and
	 * the sender's address. The buffer is valid during the call only.
	 */
	void (*rx)(void *ctx, struct tally_dp *dp, const uint8_t *payload, size_t len,
		   const uint8_t src[TALLY_ETH_ADDR_LEN], uint64_t now_tsc);
	/* Called when now_tsc >= the last returned deadline; returns the next one. */
	uint64_t (*tick)(void *ctx, struct tally_dp *dp, uint64_t now_tsc);
};

/*
 * Poll until tally_dp_stop: rx, filter, deliver, tick, tx, idle. The first
 * tick comes at once. Returns 0.
 */
int tally_dp_run(struct tally_dp *dp, const struct tally_dp_ops *ops, void *ctx);
/*
 * One iteration without the idle policy, for callers that poll several
 * ports on one lcore. *deadline is the tick deadline, updated. Returns the
 * number of frames received plus sent.
 */
unsigned tally_dp_poll(struct tally_dp *dp, const struct tally_dp_ops *ops, void *ctx,
		       uint64_t *deadline);
/*
 * From ops->rx: tick in this iteration, before its deadline (what was just
 * received moved the caller's timers). Lcore only.
 */
void tally_dp_tick_soon(struct tally_dp *dp);
/* Async-signal-safe: make tally_dp_run return after its current iteration. */
void tally_dp_stop(struct tally_dp *dp);

/*
 * Queue one frame to dst: returns where len bytes of payload go (after the
 * Ethernet header, which is written here), or NULL when no mbuf is free
 * (counted as tx_drop). The frame leaves at the end of the iteration, or
 * earlier when a burst fills up. Lcore only.
 */
uint8_t *tally_dp_tx_frame(struct tally_dp *dp, const uint8_t dst[TALLY_ETH_ADDR_LEN], size_t len);
/* Shrink the last queued frame's payload to len (<= what was asked). */
void tally_dp_tx_trim(struct tally_dp *dp, size_t len);
/* Send what is queued now. */
void tally_dp_tx_flush(struct tally_dp *dp);

/*
 * Copy the counters. Any thread: each value is whole, though the set is not
 * one instant (a frame may show in rx and not yet in rx_delivered).
 */
void tally_dp_counters(const struct tally_dp *dp, struct tally_dp_counters *out);
const uint8_t *tally_dp_addr(const struct tally_dp *dp);  /**< our MAC */
const uint8_t *tally_dp_group(const struct tally_dp *dp); /**< the cluster multicast */
uint64_t tally_dp_tsc_hz(void);
uint64_t tally_dp_tsc(void);

#endif
