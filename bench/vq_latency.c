/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vq-latency: libvotequorum.so.8 measured end to end against a one-node
 * engine running in this process on its own thread (tests/host, the test
 * fixture with a loopback transport).
 *
 *   getinfo      ns per votequorum_getinfo, in batches of 1000 calls
 *   busy         publish -> nodelist callback, client spinning on dispatch(ONE_NONBLOCKING)
 *   futex        publish -> callback, client blocked in dispatch(ONE) (futex wake)
 *   fd           publish -> callback, client in poll() on votequorum_fd_get's fd
 *
 * "publish" is the engine installing a new view (tally_node_sync_init
 * appends the nodelist event); the stamp is taken just before that call.
 * With the callback modes, "engine" is the time the engine spent in that
 * call (its own share of the latency).
 *
 *   vq-latency [--external] [--batch N] [SAMPLES [MODE...]]
 *
 * SAMPLES per mode (default 2000, one view per millisecond), MODE getinfo,
 * busy, futex, fd (default all). --external starts no engine and runs
 * getinfo against whatever engine the library reaches: with
 * LD_LIBRARY_PATH at corosync's library, a running corosync
 * (bench/vq-getinfo-corosync.sh). --batch: getinfo calls per sample (1000).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>

#include <corosync/votequorum.h>
#include <qb/qblog.h>
#include <qb/qbloop.h>

#include "vq_host.h"

#define CONF                                                                               \
	"totem {\n cluster_name: b\n}\nnodelist {\n node {\n  nodeid: 1\n }\n}\n"          \
	"quorum {\n provider: corosync_votequorum\n}\n"
#define PERIOD_NS 1000000ull

static qb_loop_t *loop;
static struct vq_host *host;
static _Atomic uint64_t published_ns;	/* stamp of the view being announced */
static atomic_bool publishing, host_ready;
static uint64_t *engine_ns;	/* time spent in vq_host_view, per view */
static _Atomic size_t n_engine;
static size_t want;
static qb_loop_timer_handle tick_timer;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void tick(void *data)
{
	if (atomic_load(&publishing)) {
		uint64_t t0 = now_ns();
		size_t k = atomic_load(&n_engine);

		atomic_store(&published_ns, t0);
		vq_host_view(host);
		if (k < want) {
			engine_ns[k] = now_ns() - t0;
			atomic_store(&n_engine, k + 1);
		}
	}
	qb_loop_timer_add(loop, QB_LOOP_HIGH, PERIOD_NS, NULL, tick, &tick_timer);
}

static int32_t stop_job(int32_t fd, int32_t revents, void *data)
{
	qb_loop_stop(loop);
	return 0;
}

static int stop_pipe[2];

static void *engine_thread(void *arg)
{
	char err[256];

	loop = qb_loop_create();
	host = vq_host_create(CONF, 1, (const char *)arg, loop, err, sizeof(err));
	if (host == NULL) {
		fprintf(stderr, "vq-latency: %s\n", err);
		exit(1);
	}
	qb_loop_poll_add(loop, QB_LOOP_HIGH, stop_pipe[0], POLLIN, NULL, stop_job);
	qb_loop_timer_add(loop, QB_LOOP_HIGH, PERIOD_NS, NULL, tick, &tick_timer);
	atomic_store(&host_ready, true);
	qb_loop_run(loop);
	vq_host_destroy(host);
	qb_loop_destroy(loop);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, const char *unit, uint64_t *v, size_t n, double scale)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%-8s median %8.1f %s   p99 %8.1f %s   max %8.1f %s   (%zu samples)\n", what,
	       (double)v[n / 2] / scale, unit, (double)v[n * 99 / 100] / scale, unit,
	       (double)v[n - 1] / scale, unit, n);
}

/* ---- getinfo ---- */

static void bench_getinfo(size_t batches, int batch)
{
	uint64_t *v = malloc(batches * sizeof(*v));
	struct votequorum_info info;
	votequorum_handle_t h;
	cs_error_t rc = votequorum_initialize(&h, NULL);

	if (rc != CS_OK) {
		fprintf(stderr, "vq-latency: cannot connect: %d\n", rc);
		exit(1);
	}
	for (size_t b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < batch; i++) {
			rc = votequorum_getinfo(h, 0, &info);
			if (rc != CS_OK) {
				fprintf(stderr, "vq-latency: getinfo: %d\n", rc);
				exit(1);
			}
		}
		v[b] = now_ns() - t0;
	}
	report("getinfo", "ns", v, batches, (double)batch);
	free(v);
	votequorum_finalize(h);
}

/* ---- publish -> callback ---- */

static uint64_t *lat;
static size_t n_lat;

static void on_nodelist(votequorum_handle_t h, uint64_t ctx, votequorum_ring_id_t ring,
			uint32_t n, uint32_t ids[])
{
	/* t0 first: a newer view's stamp after t would make the sample negative. */
	uint64_t t0 = atomic_load(&published_ns), t = now_ns();

	if (n_lat < want && t0 != 0 && t >= t0)
		lat[n_lat++] = t - t0;
}

enum mode { BUSY, FUTEX, FD };

static void bench_callbacks(enum mode mode, const char *name)
{
	votequorum_callbacks_t cb = { .votequorum_nodelist_notify_fn = on_nodelist };
	votequorum_handle_t h;
	int fd = -1;

	n_lat = 0;
	atomic_store(&n_engine, 0);
	if (votequorum_initialize(&h, &cb) != CS_OK ||
	    votequorum_trackstart(h, 0, CS_TRACK_CHANGES_ONLY) != CS_OK ||
	    (mode == FD && votequorum_fd_get(h, &fd) != CS_OK)) {
		fprintf(stderr, "vq-latency: cannot connect\n");
		exit(1);
	}
	atomic_store(&publishing, true);
	while (n_lat < want) {
		cs_error_t rc = CS_OK;

		switch (mode) {
		case BUSY:
			rc = votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING);
			if (rc == CS_ERR_TRY_AGAIN)
				rc = CS_OK;
			break;
		case FUTEX:
			rc = votequorum_dispatch(h, CS_DISPATCH_ONE);
			break;
		case FD: {
			struct pollfd p = { fd, POLLIN, 0 };

			if (poll(&p, 1, 1000) == 1)
				rc = votequorum_dispatch(h, CS_DISPATCH_ALL);
			break;
		}
		}
		if (rc != CS_OK) {
			fprintf(stderr, "vq-latency: dispatch: %d\n", rc);
			exit(1);
		}
	}
	atomic_store(&publishing, false);
	report(name, "us", lat, n_lat, 1000.0);
	report("  engine", "us", engine_ns, atomic_load(&n_engine), 1000.0);
	votequorum_finalize(h);
}

static bool wanted(char **modes, int n, const char *mode)
{
	for (int i = 0; i < n; i++)
		if (strcmp(modes[i], mode) == 0)
			return true;
	return n == 0;
}

/* A function's address as dladdr takes it (ISO C has no such cast). */
static const union {
	cs_error_t (*fn)(votequorum_handle_t, unsigned int, struct votequorum_info *);
	void *p;
} getinfo_sym = { votequorum_getinfo };

int main(int argc, char **argv)
{
	char inst[32];
	pthread_t th;
	Dl_info dl;
	bool external = false;
	int batch = 1000, a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--external") == 0) {
			external = true;
		} else if (strcmp(argv[a], "--batch") == 0 && a + 1 < argc) {
			batch = atoi(argv[++a]);
		} else {
			fprintf(stderr, "usage: vq-latency [--external] [--batch N] [SAMPLES [MODE...]]\n");
			return 2;
		}
	}
	want = a < argc ? strtoul(argv[a++], NULL, 0) : 2000;
	if (want == 0 || batch <= 0 || pipe(stop_pipe) != 0)
		return 2;
	/* Which library is measured (LD_LIBRARY_PATH may select corosync's). */
	if (dladdr(getinfo_sym.p, &dl) != 0 && dl.dli_fname != NULL)
		printf("library  %s\n", dl.dli_fname);
	if (external) {
		bench_getinfo(want, batch);
		return 0;
	}
	lat = malloc(want * sizeof(*lat));
	engine_ns = malloc(want * sizeof(*engine_ns));
	qb_log_init("vq-latency", LOG_USER, LOG_ERR);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	snprintf(inst, sizeof(inst), "bench%d", (int)getpid());
	setenv("TALLY_INSTANCE", inst, 1);
	pthread_create(&th, NULL, engine_thread, inst);
	while (!atomic_load(&host_ready))
		usleep(1000);

	if (wanted(argv + a, argc - a, "getinfo"))
		bench_getinfo(want, batch);
	if (wanted(argv + a, argc - a, "busy"))
		bench_callbacks(BUSY, "busy");
	if (wanted(argv + a, argc - a, "futex"))
		bench_callbacks(FUTEX, "futex");
	if (wanted(argv + a, argc - a, "fd"))
		bench_callbacks(FD, "fd");

	(void)!write(stop_pipe[1], "x", 1);
	pthread_join(th, NULL);
	free(lat);
	free(engine_ns);
	return 0;
}
