/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL, port and the run-to-completion loop (see dp.h). The loop touches only
 * this lcore's struct tally_dp; the stop flag is the one shared word.
 */
#include "dp/dp.h"

#include <dirent.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#define RING_DESC 512
#define POOL_CACHE 128
#define EVENT_WAIT_MAX_NS 100000000ull	/* a stop request waits at most this long */

/*
 * struct tally_dp_counters, readable from other threads: each field is
 * written by the polling lcore only (STYLE.md §3.4 rule 4) with a relaxed
 * load and store, which on x86 is the plain add it replaces (no lock prefix),
 * so a control thread reads whole values without a data race.
 */
struct dp_counters {
	_Atomic uint64_t rx, rx_delivered, filtered[TALLY_ETH_VERDICT_COUNT], tx, tx_drop;
	_Atomic uint64_t iterations, busy_cycles, idle_cycles, sleeps, wakes;
};

#define COUNT(dp, field, n)                                                                        \
	atomic_store_explicit(&(dp)->c.field,                                                      \
			      atomic_load_explicit(&(dp)->c.field, memory_order_relaxed) + (n),    \
			      memory_order_relaxed)
#define READ(dp, field) atomic_load_explicit(&(dp)->c.field, memory_order_relaxed)

struct tally_dp {
	struct dp_counters c __rte_cache_aligned;
	struct rte_mbuf *tx[TALLY_DP_BURST];
	unsigned n_tx;
	uint16_t port;
	struct tally_eth_filter filter;
	enum tally_dp_idle idle;
	uint64_t spin_tsc;
	uint64_t sleep_ns;
	int wait_fd;		/**< engine.idle: event: the receive queue's descriptor */
	struct rte_mempool *pool;
	/* tally_dp_open_rings: no ethdev, and the pool is the caller's */
	struct rte_ring *rx_ring, *tx_ring;
	bool tick_soon;
	/* Its own line: tally_dp_stop writes it from another thread. */
	_Atomic int stop __rte_cache_aligned;
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int tally_dp_eal_init(const struct tally_dp_cfg *cfg, const char *prog, char *err, size_t errlen)
{
	/* Static: the EAL may keep pointers into its argv. */
	static struct tally_dp_eal_argv a;

	if (tally_dp_eal_argv(&a, cfg, prog) != 0)
		return fail(err, errlen, -E2BIG, "engine.eal_args: more than %d words in all",
			    TALLY_DP_EAL_ARGV_MAX);
	if (rte_eal_init(a.argc, a.argv) < 0)
		return fail(err, errlen, -rte_errno, "EAL start-up failed: %s",
			    rte_strerror(rte_errno));
	return 0;
}

static int port_by_cfg(const struct tally_dp_cfg *cfg, uint16_t *port, char *err, size_t errlen)
{
	char name[TALLY_DP_PORT_MAX];
	size_t n = strcspn(cfg->port, ",");

	if (cfg->port[0] == '\0')
		return fail(err, errlen, -EINVAL, "engine.port is not set");
	memcpy(name, cfg->port, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port) != 0)
		return fail(err, errlen, -ENODEV, "engine.port: no port '%s' (its probe failed?)",
			    name);
	return 0;
}

static int port_start(uint16_t port, struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	uint16_t n_rx = RING_DESC, n_tx = RING_DESC;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &n_rx, &n_tx);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, n_rx, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, n_tx, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		return fail(err, errlen, rc < 0 ? rc : -EIO, "port %u: %s", port,
			    rte_strerror(rc < 0 ? -rc : rc));
	return 0;
}

/*
 * engine.idle: event. af_packet has no rx interrupt in DPDK 22.11 (PLATFORM.md
 * §2), but its queue is a packet socket with an mmap()ed TPACKET ring, and
 * poll(2) reports such a socket readable while the kernel's newest frame in
 * the ring is unread: the wait libpcap uses. The PMD does not hand out the
 * descriptor, so take the one packet socket of this process bound to the
 * port's interface (one queue pair: more than one is refused).
 */
static int packet_socket_of(uint16_t port, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct dirent *e;
	int found = -1, n = 0;
	DIR *d;

	if (rte_eth_dev_info_get(port, &info) != 0 || info.if_index == 0)
		return fail(err, errlen, -ENOTSUP,
			    "engine.idle: event: port %u has no interface to wait on "
			    "(af_packet ports only)", port);
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return fail(err, errlen, -errno, "engine.idle: event: /proc/self/fd: %s",
			    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		struct sockaddr_ll sll;
		socklen_t len = sizeof(int);
		int fd = atoi(e->d_name), domain = 0;

		if (e->d_name[0] == '.' || fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
		    domain != AF_PACKET)
			continue;
		len = sizeof(sll);
		if (getsockname(fd, (struct sockaddr *)&sll, &len) == 0 &&
		    sll.sll_ifindex == (int)info.if_index) {
			found = fd;
			n++;
		}
	}
	closedir(d);
	if (n != 1)
		return fail(err, errlen, -ENOTSUP,
			    "engine.idle: event: port %u: %d packet sockets on its interface, "
			    "want 1 (af_packet ports with one queue pair only)", port, n);
	return found;
}

static void dp_setup(struct tally_dp *dp, const struct tally_dp_cfg *cfg, const uint8_t *mac)
{
	memcpy(dp->filter.self, mac, TALLY_ETH_ADDR_LEN);
	memcpy(dp->filter.group, cfg->group, TALLY_ETH_ADDR_LEN);
	dp->filter.ethertype = TALLY_ETH_TYPE;
	dp->idle = cfg->idle;
	dp->spin_tsc = rte_get_tsc_hz() / 1000000 * cfg->idle_spin_us;
	dp->sleep_ns = (uint64_t)cfg->idle_sleep_us * 1000;
	dp->wait_fd = -1;
}

struct tally_dp *tally_dp_open(const struct tally_dp_cfg *cfg, int port_id, const char *pool_name,
			       char *err, size_t errlen)
{
	struct rte_ether_addr mac;
	struct tally_dp *dp;
	uint16_t port;
	int rc;

	if (port_id >= 0)
		port = (uint16_t)port_id;
	else if ((rc = port_by_cfg(cfg, &port, err, errlen)) != 0)
		goto err;
	dp = rte_zmalloc("tally_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		rc = fail(err, errlen, -ENOMEM, "no memory for the datapath");
		goto err;
	}
	dp->pool = rte_pktmbuf_pool_create(pool_name, cfg->mbufs, POOL_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->pool == NULL) {
		rc = fail(err, errlen, -rte_errno, "mempool of %u mbufs: %s (raise engine.memory)",
			  cfg->mbufs, rte_strerror(rte_errno));
		goto err_free;
	}
	if ((rc = port_start(port, dp->pool, err, errlen)) != 0)
		goto err_pool;
	rte_eth_macaddr_get(port, &mac);
	if (rte_is_zero_ether_addr(&mac)) {
		/* net_ring ports have no address; a local one per port keeps the filter honest. */
		mac = (struct rte_ether_addr){
			{0x02, 0x74, 0x6c, 0xff, (uint8_t)(port >> 8), (uint8_t)port}};
	}
	dp->port = port;
	dp_setup(dp, cfg, mac.addr_bytes);
	if (cfg->idle == TALLY_DP_IDLE_EVENT &&
	    (dp->wait_fd = packet_socket_of(port, err, errlen)) < 0) {
		rc = dp->wait_fd;
		goto err_port;
	}
	return dp;

err_port:
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
err_pool:
	rte_mempool_free(dp->pool);
err_free:
	rte_free(dp);
err:
	errno = -rc;
	return NULL;
}

struct tally_dp *tally_dp_open_rings(const struct tally_dp_cfg *cfg, struct rte_ring *rx,
				     struct rte_ring *tx, struct rte_mempool *pool,
				     const uint8_t mac[TALLY_ETH_ADDR_LEN], char *err,
				     size_t errlen)
{
	struct tally_dp *dp;

	if (rx == NULL || tx == NULL || pool == NULL || cfg->idle == TALLY_DP_IDLE_EVENT) {
		errno = EINVAL;
		fail(err, errlen, -EINVAL,
		     cfg->idle == TALLY_DP_IDLE_EVENT ? "engine.idle: event needs a port, not rings"
						      : "rings and pool are required");
		return NULL;
	}
	dp = rte_zmalloc("tally_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		errno = ENOMEM;
		fail(err, errlen, -ENOMEM, "no memory for the datapath");
		return NULL;
	}
	dp->pool = pool;
	dp->rx_ring = rx;
	dp->tx_ring = tx;
	dp_setup(dp, cfg, mac);
	return dp;
}

void tally_dp_close(struct tally_dp *dp)
{
	if (dp == NULL)
		return;
	for (unsigned i = 0; i < dp->n_tx; i++)
		rte_pktmbuf_free(dp->tx[i]);
	if (dp->rx_ring != NULL) {
		rte_free(dp);
		return;
	}
	rte_eth_dev_stop(dp->port);
	rte_eth_dev_close(dp->port);
	rte_mempool_free(dp->pool);
	rte_free(dp);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

uint8_t *tally_dp_tx_frame(struct tally_dp *dp, const uint8_t dst[TALLY_ETH_ADDR_LEN], size_t len)
{
	struct rte_mbuf *m;
	uint8_t *p;

	if (dp->n_tx == TALLY_DP_BURST)
		tally_dp_tx_flush(dp);
	m = rte_pktmbuf_alloc(dp->pool);
	if (m == NULL) {
		COUNT(dp, tx_drop, 1);
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(TALLY_ETH_HDR_LEN + len));
	if (p == NULL || len > UINT16_MAX - TALLY_ETH_HDR_LEN) {
		rte_pktmbuf_free(m);
		COUNT(dp, tx_drop, 1);
		return NULL;
	}
	tally_eth_put_hdr(p, dst, dp->filter.self, dp->filter.ethertype);
	dp->tx[dp->n_tx++] = m;
	return p + TALLY_ETH_HDR_LEN;
}

void tally_dp_tx_trim(struct tally_dp *dp, size_t len)
{
	struct rte_mbuf *m;
	size_t have;

	if (dp->n_tx == 0)
		return;
	m = dp->tx[dp->n_tx - 1];
	have = m->data_len - TALLY_ETH_HDR_LEN;
	if (len < have)
		rte_pktmbuf_trim(m, (uint16_t)(have - len));
}

static unsigned tx_flush(struct tally_dp *dp)
{
	uint16_t n;

	if (dp->n_tx == 0)
		return 0;
	if (dp->tx_ring != NULL)
		n = (uint16_t)rte_ring_sp_enqueue_burst(dp->tx_ring, (void **)dp->tx, dp->n_tx, NULL);
	else
		n = rte_eth_tx_burst(dp->port, 0, dp->tx, (uint16_t)dp->n_tx);
	COUNT(dp, tx, n);
	if (n < dp->n_tx) {
		/* Heartbeats are periodic: a late one is worth less than the next. */
		COUNT(dp, tx_drop, dp->n_tx - n);
		rte_pktmbuf_free_bulk(dp->tx + n, dp->n_tx - n);
	}
	dp->n_tx = 0;
	return n;
}

void tally_dp_tx_flush(struct tally_dp *dp)
{
	tx_flush(dp);
}

unsigned tally_dp_poll(struct tally_dp *dp, const struct tally_dp_ops *ops, void *ctx,
		       uint64_t *deadline)
{
	struct rte_mbuf *b[TALLY_DP_BURST];
	uint64_t now = rte_rdtsc();
	uint16_t n = dp->rx_ring != NULL ? (uint16_t)rte_ring_sc_dequeue_burst(
						   dp->rx_ring, (void **)b, TALLY_DP_BURST, NULL)
					 : rte_eth_rx_burst(dp->port, 0, b, TALLY_DP_BURST);

	COUNT(dp, rx, n);
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(b[i], const uint8_t *);
		/* Our frames fit one segment; a chained one is truncated and fails the wire length
		 * check. */
		size_t len = b[i]->data_len;
		enum tally_eth_verdict v = tally_eth_classify(&dp->filter, f, len);

		if (v != TALLY_ETH_OK) {
			COUNT(dp, filtered[v], 1);
			continue;
		}
		COUNT(dp, rx_delivered, 1);
		ops->rx(ctx, dp, f + TALLY_ETH_HDR_LEN, len - TALLY_ETH_HDR_LEN,
			f + TALLY_ETH_ADDR_LEN, now);
	}
	if (n > 0)
		rte_pktmbuf_free_bulk(b, n);
	if (ops->tick != NULL && (now >= *deadline || dp->tick_soon)) {
		dp->tick_soon = false;
		*deadline = ops->tick(ctx, dp, now);
	}
	return n + tx_flush(dp);
}

/*
 * The only syscall of the loop, taken when there was nothing to do: sleep
 * (adaptive) or wait for a frame (event), never past the next deadline.
 */
static void idle_sleep(struct tally_dp *dp, uint64_t now, uint64_t deadline)
{
	uint64_t ns = dp->idle == TALLY_DP_IDLE_EVENT ? EVENT_WAIT_MAX_NS : dp->sleep_ns;
	struct timespec ts;

	if (deadline <= now)
		return;
	if (deadline - now < ns * rte_get_tsc_hz() / 1000000000)
		ns = (deadline - now) * 1000000000 / rte_get_tsc_hz();
	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	COUNT(dp, sleeps, 1);
	if (dp->idle == TALLY_DP_IDLE_EVENT) {
		struct pollfd pfd = { .fd = dp->wait_fd, .events = POLLIN };
		socklen_t len = sizeof(int);
		int soerr;

		if (ppoll(&pfd, 1, &ts, NULL) <= 0)
			return;
		if (!(pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
			COUNT(dp, wakes, 1);
			return;
		}
		/*
		 * An error on the socket (its interface went down: ENETDOWN) keeps
		 * it ready and the PMD never reads the error: clear it and sleep,
		 * or the loop would spin for the whole outage.
		 */
		getsockopt(dp->wait_fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if ((uint64_t)ts.tv_nsec > dp->sleep_ns)	/* tv_sec is 0: EVENT_WAIT_MAX_NS */
			ts.tv_nsec = (long)dp->sleep_ns;
	}
	nanosleep(&ts, NULL);
}

int tally_dp_run(struct tally_dp *dp, const struct tally_dp_ops *ops, void *ctx)
{
	uint64_t deadline = 0, last_work = rte_rdtsc();

	/* The default 50 µs slack would triple a 50 µs sleep (PLATFORM.md §2). */
	if (dp->idle != TALLY_DP_IDLE_BUSY)
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		uint64_t t0 = rte_rdtsc(), t1;
		unsigned k = tally_dp_poll(dp, ops, ctx, &deadline);

		t1 = rte_rdtsc();
		COUNT(dp, iterations, 1);
		if (k > 0) {
			COUNT(dp, busy_cycles, t1 - t0);
			last_work = t1;
			continue;
		}
		if (dp->idle != TALLY_DP_IDLE_BUSY && t1 - last_work > dp->spin_tsc)
			idle_sleep(dp, t1, deadline);
		else
			rte_pause();
		COUNT(dp, idle_cycles, rte_rdtsc() - t0);
	}
	tx_flush(dp);
	return 0;
}

void tally_dp_tick_soon(struct tally_dp *dp)
{
	dp->tick_soon = true;
}

void tally_dp_stop(struct tally_dp *dp)
{
	/* Relaxed: the loop only needs to see it eventually; no data travels with it. */
	atomic_store_explicit(&dp->stop, 1, memory_order_relaxed);
}

void tally_dp_counters(const struct tally_dp *dp, struct tally_dp_counters *out)
{
	struct tally_dp *w = (struct tally_dp *)dp; /* atomic loads take non-const pointers */

	out->rx = READ(w, rx);
	out->rx_delivered = READ(w, rx_delivered);
	for (int v = 0; v < TALLY_ETH_VERDICT_COUNT; v++)
		out->filtered[v] = READ(w, filtered[v]);
	out->tx = READ(w, tx);
	out->tx_drop = READ(w, tx_drop);
	out->iterations = READ(w, iterations);
	out->busy_cycles = READ(w, busy_cycles);
	out->idle_cycles = READ(w, idle_cycles);
	out->sleeps = READ(w, sleeps);
	out->wakes = READ(w, wakes);
}

const uint8_t *tally_dp_addr(const struct tally_dp *dp)
{
	return dp->filter.self;
}

const uint8_t *tally_dp_group(const struct tally_dp *dp)
{
	return dp->filter.group;
}

uint64_t tally_dp_tsc_hz(void)
{
	return rte_get_tsc_hz();
}

uint64_t tally_dp_tsc(void)
{
	return rte_rdtsc();
}
