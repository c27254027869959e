/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tallyd: the engine daemon (docs/design/tallyd.md).
 *
 *   tallyd [-f] [-p] [-c FILE] [-t]
 *
 * The main thread starts everything, then becomes the polling lcore
 * (engine.h). A control thread made with rte_ctrl_thread_create (so it
 * runs on the CPUs the lcores do not use, PLATFORM.md §5) runs a libqb
 * main loop: the client IPC server (engine/ctl), signals through a
 * signalfd, the lcore's notes, status requests. Signals are blocked in
 * every thread before any thread exists, so only the signalfd sees them.
 *
 * Exit: 0 after a clean leave (SIGTERM/SIGINT), 1 on a bad configuration
 * or a resource that cannot be had (port, socket, segment), with one line
 * saying why; -t checks the configuration and exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbloop.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <sodium.h>

#include "conf/conf.h"
#include "config/cmap.h"
#include "config/votequorum_cfg.h"
#include "ctl/ctl.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "dp/dp.h"
#include "tally/ctl_proto.h"
#include "tally/shm_layout.h"

#define DEFAULT_CONF "/etc/tally/tally.conf"
#define DEFAULT_STATE_DIR "/var/lib/tally"
#define EV_TRACKING_FILE "ev_tracking"

struct daemon {
	const char *conf_path;
	struct tally_cmap *map;		/**< the running configuration (the lcore reads it) */
	uint32_t nodeid;
	uint64_t incarnation;
	char instance[TALLY_CTL_INSTANCE_MAX + 1];
	char service[TALLY_CTL_SERVICE_MAX];
	char shm_name[TALLY_CTL_SHM_NAME_MAX];
	char state_dir[256];
	uint64_t restores_logged;	/**< client area truncations already in the log */
	struct tally_dp_cfg dpcfg;
	int sched_policy;		/**< engine.sched for the lcore thread */
	struct tally_dp *dp;
	uint8_t port_mac[TALLY_ETH_ADDR_LEN];
	struct tally_ctl_acl acl;
	void *segment;
	struct tally_engine *engine;
	/* control thread */
	qb_loop_t *loop;
	struct tally_ctl *ctl;
	int note_fd, quit_fd, sig_fd;
	sem_t ready;
	int ctl_errno;
	bool leave_queued;
	qb_loop_timer_handle leave_timer;
};

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	tally_log(TALLY_QLOG_CRIT, "tallyd: %s", text);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* The expected-votes-tracking barrier survives restarts (corosync's ev_tracking file). */
static uint32_t read_ev_barrier(const struct daemon *d)
{
	char path[300], buf[32];
	FILE *f;
	uint32_t v = 0;

	snprintf(path, sizeof(path), "%s/%s", d->state_dir, EV_TRACKING_FILE);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL || tally_parse_u32(strtok(buf, "\n"), &v) != 0) {
		tally_log(TALLY_QLOG_WARNING, "%s: not a number, starting from 0", path);
		v = 0;
	}
	fclose(f);
	return v;
}

/* Written whole or not at all: a crash at any point leaves the old or the new value. */
static void write_ev_barrier(const struct daemon *d, uint32_t v)
{
	char path[300], tmp[310], buf[16];
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", d->state_dir, EV_TRACKING_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(buf, sizeof(buf), "%" PRIu32 "\n", v);
	if (mkdir(d->state_dir, 0700) != 0 && errno != EEXIST)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (write(fd, buf, (size_t)n) != n || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) != 0)
		goto fail;
	return;
fail:
	tally_log(TALLY_QLOG_CRIT, "cannot save expected votes %" PRIu32 " to %s: %s", v, path,
		  strerror(errno));
}

/* A zombie still answers kill(pid, 0), but its segment is as dead as it is. */
static bool process_gone(long pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool gone = true;

	if (kill((pid_t)pid, 0) != 0)
		return errno == ESRCH;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL)
		gone = p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	fclose(f);
	return gone;
}

/* Segments of daemons of this instance that died without cleaning up. */
static void remove_stale_segments(const struct daemon *d)
{
	char prefix[TALLY_CTL_SHM_NAME_MAX];
	DIR *dir = opendir("/dev/shm");
	struct dirent *de;

	if (dir == NULL)
		return;
	snprintf(prefix, sizeof(prefix), "tally.%s.", d->instance);
	while ((de = readdir(dir)) != NULL) {
		char name[sizeof(de->d_name) + 1], *end;
		long pid;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(de->d_name + strlen(prefix), &end, 10);
		/* the engine's part, or its client area (shm_layout.h) */
		if ((*end != '\0' && strcmp(end, TALLY_SHM_CLIENTS_SUFFIX) != 0) || pid <= 0 ||
		    !process_gone(pid))
			continue;
		snprintf(name, sizeof(name), "/%s", de->d_name);
		if (shm_unlink(name) == 0)
			tally_log(TALLY_QLOG_INFO, "removed the segment %s of a dead tallyd", name);
	}
	closedir(dir);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* The nodelist entry whose ring0_addr is our port's MAC: its node id (1) or go on (0). */
static int match_mac(void *ctx, const struct tally_cmap *map, const char *entry)
{
	struct daemon *d = ctx;
	const char *addr = tally_cmap_node_get(map, entry, "ring0_addr");
	uint8_t mac[TALLY_ETH_ADDR_LEN];

	if (addr == NULL || tally_eth_parse_addr(addr, mac) != 0 ||
	    memcmp(mac, d->port_mac, sizeof(mac)) != 0)
		return 0;
	return tally_cmap_node_get_u32(map, entry, "nodeid", &d->nodeid) == 0 ? 1 : 0;
}

/* engine.nodeid, totem.nodeid, or the nodelist entry of our MAC (after the port opens). */
static int find_nodeid(struct daemon *d, const uint8_t *mac)
{
	if (tally_cmap_get_u32(d->map, "engine.nodeid", &d->nodeid) == 0 ||
	    tally_cmap_get_u32(d->map, "totem.nodeid", &d->nodeid) == 0)
		return d->nodeid != 0 ? 0 : -EINVAL;
	if (mac == NULL)
		return -ENOENT;
	memcpy(d->port_mac, mac, sizeof(d->port_mac));
	d->nodeid = 0;
	tally_cmap_foreach_node(d->map, match_mac, d);
	return d->nodeid != 0 ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Control thread                                                      */

static bool submit_op(void *ctx, const struct tally_ctl_op *op)
{
	struct daemon *d = ctx;
	struct tally_engine_cmd cmd = { .kind = TALLY_ENGINE_CMD_OP, .op = *op };

	return tally_engine_command(d->engine, &cmd);
}

#define PUT(...)                                                                                   \
	do {                                                                                       \
		if (off < len)                                                                     \
			off += (size_t)snprintf(buf + off, len - off, __VA_ARGS__);                \
	} while (0)

/* Room kept for the last line, "lines_omitted: N". */
#define STATUS_TAIL 32u

/* A whole line or none: a status too long for one reply loses lines, never half of one. */
__attribute__((format(printf, 5, 6))) static void put_line(char *buf, size_t len, size_t *off,
							   unsigned *omitted, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + STATUS_TAIL >= len) {
		(*omitted)++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - STATUS_TAIL - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || *off + (size_t)n >= len - STATUS_TAIL) {
		buf[*off] = '\0';
		(*omitted)++;
		return;
	}
	*off += (size_t)n;
}

/* "B:N,B:N": the non-empty buckets of an RTT histogram (probe.h), or "-". */
static void format_hist(const struct tally_probe_rtt *r, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (unsigned b = 0; b < TALLY_PROBE_BUCKETS && off < len; b++)
		if (r->hist[b] != 0)
			off += (size_t)snprintf(out + off, len - off, "%s%u:%" PRIu64,
						off > 0 ? "," : "", b, r->hist[b]);
	if (off == 0)
		snprintf(out, len, "-");
}

/* A microsecond count, or "never" for UINT64_MAX. */
static const char *us_or_never(uint64_t us, char *out, size_t len)
{
	if (us == UINT64_MAX)
		return "never";
	snprintf(out, len, "%" PRIu64, us);
	return out;
}

static void put_peer(char *buf, size_t len, size_t *off, unsigned *omitted,
		     const struct tally_engine_peer *p)
{
	const struct tally_mb_peer_info *fd = &p->fd;
	const struct tally_probe_rtt *r = &p->rtt;
	char hist[TALLY_PROBE_BUCKETS * 24], age[24], silent[24];

	format_hist(r, hist, sizeof(hist));
	put_line(buf, len, off, omitted,
		 "peer.%" PRIu32 ": frames=%" PRIu64 " last_heard_us=%s state=%s heard=%d"
		 " member=%d silent_us=%s missed=%" PRIu32 " miss_count=%" PRIu32 " flaps=%" PRIu32
		 " damp_left_us=%" PRIu64 " unresponsive=%d taken=%d probes=%" PRIu64
		 " answered=%" PRIu64 " lost=%" PRIu64 " rtt_last_us=%" PRIu64 " rtt_min_us=%" PRIu64
		 " rtt_ewma_us=%" PRIu64 " rtt_max_us=%" PRIu64 " rtt_p50_us=%" PRIu64
		 " rtt_p99_us=%" PRIu64 " rtt_hist=%s\n",
		 p->nodeid, p->frames, us_or_never(p->age_us, age, sizeof(age)),
		 tally_mb_suspicion_name(fd->state), fd->heard, fd->member,
		 us_or_never(fd->silent_us, silent, sizeof(silent)), fd->missed, fd->miss_count,
		 fd->flaps, fd->damp_left_us, fd->unresponsive, fd->taken, r->sent, r->answered,
		 r->lost, r->last_us, r->min_us, r->ewma_us, r->max_us, tally_probe_quantile(r, 50),
		 tally_probe_quantile(r, 99), hist);
}

static size_t status_text(void *ctx, char *buf, size_t len)
{
	struct daemon *d = ctx;
	struct tally_engine_stats s;
	struct tally_dp_counters dc;
	struct tally_engine_peer *peers;
	size_t off = 0, n_peers;
	unsigned omitted = 0;
	double cycles;

	tally_engine_stats(d->engine, &s);
	tally_dp_counters(d->dp, &dc);
	cycles = (double)(dc.busy_cycles + dc.idle_cycles);
	PUT("nodeid: %" PRIu32 "\nincarnation: %" PRIu64 "\npid: %d\n", d->nodeid,
	    d->incarnation, (int)getpid());
	PUT("port: %s\nlcore: %" PRIu32 "\nidle: %s\n", d->dpcfg.port, d->dpcfg.lcore,
	    tally_dp_idle_name(d->dpcfg.idle));
	PUT("uptime_us: %" PRIu64 "\n", s.now_us);
	PUT("ring_nodeid: %" PRIu32 "\nring_seq: %" PRIu64 "\nmembers: %" PRIu32 "\n",
	    s.ring.nodeid, s.ring.seq, s.n_members);
	PUT("quorate: %d\nin_sync: %d\nstable: %d\nleaving: %d\n", s.quorate, s.in_sync, s.stable,
	    s.leaving);
	PUT("views_installed: %" PRIu64 "\nproposals: %" PRIu64 "\nproposals_aborted: %" PRIu64
	    "\nrejects: %" PRIu64 "\n", s.mb.views_installed, s.mb.proposals,
	    s.mb.proposals_aborted, s.mb.rejects);
	PUT("hb_sent: %" PRIu64 "\nhb_received: %" PRIu64 "\nmsgs_sent: %" PRIu64
	    "\nmsgs_received: %" PRIu64 "\n", s.mb.hb_sent, s.mb.hb_received, s.mb.msgs_sent,
	    s.mb.msgs_received);
	PUT("stale_dropped: %" PRIu64 "\nstalls: %" PRIu64 "\nnacks_sent: %" PRIu64
	    "\nretransmits: %" PRIu64 "\nparts_dropped: %" PRIu64 "\n", s.mb.stale_dropped,
	    s.mb.stalls, s.mb.nacks_sent, s.mb.retransmits, s.mb.parts_dropped);
	PUT("rx: %" PRIu64 "\nrx_delivered: %" PRIu64 "\ntx: %" PRIu64 "\ntx_drop: %" PRIu64 "\n",
	    dc.rx, dc.rx_delivered, dc.tx, dc.tx_drop);
	for (int v = 1; v < TALLY_ETH_VERDICT_COUNT; v++)
		PUT("filtered_%s: %" PRIu64 "\n", tally_eth_verdict_name(v), dc.filtered[v]);
	for (int v = 0; v < TALLY_WIRE_VERDICT_COUNT; v++)
		PUT("wire_%s: %" PRIu64 "\n", tally_wire_verdict_name(v), s.c.wire[v]);
	PUT("unknown_sender: %" PRIu64 "\nown_id: %" PRIu64 "\nbad_type: %" PRIu64
	    "\ntx_too_big: %" PRIu64 "\ntx_no_buf: %" PRIu64 "\nnotes_dropped: %" PRIu64 "\n",
	    s.c.unknown_sender, s.c.own_id, s.c.bad_type, s.c.tx_too_big, s.c.tx_no_buf,
	    s.c.notes_dropped);
	PUT("client_area_restores: %" PRIu64 "\n", tally_ctl_segment_restores());
	PUT("busy_pct: %.2f\nsleeps: %" PRIu64 "\nwakes: %" PRIu64 "\n",
	    cycles > 0 ? 100.0 * (double)dc.busy_cycles / cycles : 0.0, dc.sleeps, dc.wakes);
	PUT("probe_pings_sent: %" PRIu64 "\nprobe_pongs_sent: %" PRIu64
	    "\nprobe_pongs_received: %" PRIu64 "\nprobe_unmatched: %" PRIu64
	    "\nprobe_misaddressed: %" PRIu64 "\nprobe_unknown: %" PRIu64 "\n", s.probe.pings_sent,
	    s.probe.pongs_sent, s.probe.pongs_received, s.probe.unmatched, s.probe.misaddressed,
	    s.probe.unknown);
	/* peers by id, then the newest views first: what a long status loses is old views */
	n_peers = tally_engine_peers(d->engine, NULL, 0);
	peers = calloc(n_peers > 0 ? n_peers : 1, sizeof(*peers));
	if (peers == NULL)
		omitted += (unsigned)n_peers;
	else {
		size_t all = tally_engine_peers(d->engine, peers, n_peers);

		if (all > n_peers)	/* a reload added some since we counted */
			omitted += (unsigned)(all - n_peers);
		else
			n_peers = all;
	}
	for (size_t i = 0; peers != NULL && i < n_peers; i++)
		put_peer(buf, len, &off, &omitted, &peers[i]);
	free(peers);
	for (uint64_t k = 0; k < s.n_views && k < TALLY_ENGINE_VIEW_HISTORY; k++) {
		const struct tally_engine_view *v =
			&s.views[(s.n_views - 1 - k) % TALLY_ENGINE_VIEW_HISTORY];

		put_line(buf, len, &off, &omitted,
			 "view.%" PRIu64 ": ring=%" PRIx32 ".%" PRIx64 " members=%" PRIu32
			 " age_ms=%.1f time=%" PRIu64 ".%06" PRIu64 "\n",
			 k, v->ring.nodeid, v->ring.seq, v->n_members,
			 (double)(s.now_us - v->at_us) / 1000.0, v->realtime_ns / 1000000000u,
			 v->realtime_ns % 1000000000u / 1000u);
	}
	PUT("lines_omitted: %u\n", omitted);
	return off < len ? off : len - 1;
}

static void queue_leave(void *data)
{
	struct daemon *d = data;
	struct tally_engine_cmd cmd = { .kind = TALLY_ENGINE_CMD_LEAVE };

	d->leave_timer = 0;
	if (tally_engine_command(d->engine, &cmd))
		d->leave_queued = true;
	else	/* the ring is full of requests: the lcore drains it within a millisecond */
		qb_loop_timer_add(d->loop, QB_LOOP_HIGH, 1000000, d, queue_leave, &d->leave_timer);
}

/* SIGHUP: a new configuration, checked before the lcore sees it; a bad one changes nothing. */
static void reload(struct daemon *d)
{
	char err[512];
	struct tally_cmap *map = tally_conf_load(d->conf_path, err, sizeof(err));
	struct tally_vq_settings vs;
	struct tally_engine_cmd cmd = { .kind = TALLY_ENGINE_CMD_RELOAD };

	if (map == NULL || tally_vq_settings_read(map, d->nodeid, &vs, err, sizeof(err)) != 0 ||
	    tally_log_configure(map, err, sizeof(err)) != 0) {
		tally_log(TALLY_QLOG_WARNING, "reload of %s failed, keeping the running configuration: %s",
			  d->conf_path, err);
		tally_cmap_free(map);
		return;
	}
	cmd.map = map;
	if (!tally_engine_command(d->engine, &cmd)) {
		tally_log(TALLY_QLOG_WARNING, "reload: the engine is busy, send SIGHUP again");
		tally_cmap_free(map);
		return;
	}
	tally_log(TALLY_QLOG_NOTICE, "reloading %s", d->conf_path);
}

static int32_t on_signal(int32_t fd, int32_t revents, void *data)
{
	struct daemon *d = data;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(d);
		} else if (!d->leave_queued && d->leave_timer == 0) {
			tally_log(TALLY_QLOG_NOTICE, "signal %u: leaving the cluster", si.ssi_signo);
			queue_leave(d);
		}
	}
	return 0;
}

static int32_t on_notes(int32_t fd, int32_t revents, void *data)
{
	struct daemon *d = data;
	struct tally_engine_note n;
	uint64_t count;

	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return 0;
	if (tally_ctl_segment_restores() != d->restores_logged) {
		d->restores_logged = tally_ctl_segment_restores();
		tally_log(TALLY_QLOG_WARNING,
			  "a client truncated the segment's client area; its size is restored "
			  "(%" PRIu64 " times so far)", d->restores_logged);
	}
	while (tally_engine_next_note(d->engine, &n)) {
		switch (n.kind) {
		case TALLY_ENGINE_NOTE_REPLY:
			tally_ctl_reply(d->ctl, n.token, (cs_error_t)n.value);
			break;
		case TALLY_ENGINE_NOTE_LOG:
			tally_log((enum tally_qlog_level)n.value, "%s", n.text);
			break;
		case TALLY_ENGINE_NOTE_PERSIST:
			write_ev_barrier(d, n.value);
			break;
		case TALLY_ENGINE_NOTE_RELOADED:
			if (n.map == d->map)
				d->map = NULL;	/* the engine holds the new one (tally_engine_map) */
			tally_cmap_free(n.map);
			tally_log(TALLY_QLOG_NOTICE, "configuration reloaded");
			break;
		default:
			break;
		}
	}
	return 0;
}

static int32_t on_quit(int32_t fd, int32_t revents, void *data)
{
	struct daemon *d = data;

	qb_loop_stop(d->loop);
	return 0;
}

static void kick(void *ctx)
{
	struct daemon *d = ctx;

	tally_ctl_kick(d->ctl);
}

static void ring(void *ctx)
{
	struct daemon *d = ctx;

	tally_ctl_ring(d->ctl);
}

static void *control_main(void *arg)
{
	struct daemon *d = arg;
	const struct tally_ctl_exec exec = { .submit = submit_op, .status = status_text, .ctx = d };
	struct tally_ctl_cfg cfg = {
		.service = d->service,
		.shm_name = d->shm_name,
		.segment_size = TALLY_SHM_SEGMENT_SIZE,
		.engine_incarnation = d->incarnation,
		.segment = d->segment,
		.acl = d->acl,
	};
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	d->loop = qb_loop_create();
	d->sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->loop == NULL || d->sig_fd < 0) {
		d->ctl_errno = errno ? errno : ENOMEM;
		sem_post(&d->ready);
		return NULL;
	}
	d->ctl = tally_ctl_create(&cfg, &exec, d->loop);
	if (d->ctl == NULL) {
		d->ctl_errno = errno;
		sem_post(&d->ready);
		return NULL;
	}
	qb_loop_poll_add(d->loop, QB_LOOP_HIGH, d->note_fd, POLLIN, d, on_notes);
	qb_loop_poll_add(d->loop, QB_LOOP_HIGH, d->sig_fd, POLLIN, d, on_signal);
	qb_loop_poll_add(d->loop, QB_LOOP_HIGH, d->quit_fd, POLLIN, d, on_quit);
	sem_post(&d->ready);
	qb_loop_run(d->loop);
	on_notes(d->note_fd, POLLIN, d);	/* the last replies and log lines */
	qb_loop_timer_del(d->loop, d->leave_timer);
	tally_ctl_destroy(d->ctl);
	d->ctl = NULL;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Start-up                                                            */

/*
 * engine.sched: rr (default, as corosync), fifo, or other. A real-time
 * polling thread is scheduled the moment a frame or timer needs it, not after
 * a CFS slice of whatever else shares the CPU (PLATFORM.md §2: 8 ms).
 */
static int sched_from_cmap(struct daemon *d, char *err, size_t errlen)
{
	const char *v = tally_cmap_get(d->map, "engine.sched");

	if (v == NULL || strcmp(v, "rr") == 0)
		d->sched_policy = SCHED_RR;
	else if (strcmp(v, "fifo") == 0)
		d->sched_policy = SCHED_FIFO;
	else if (strcmp(v, "other") == 0)
		d->sched_policy = SCHED_OTHER;
	else {
		snprintf(err, errlen, "engine.sched: '%s' must be rr, fifo or other", v);
		return -EINVAL;
	}
	return 0;
}

static void set_sched(const struct daemon *d)
{
	struct sched_param sp = { 0 };

	if (d->sched_policy == SCHED_OTHER)
		return;
	sp.sched_priority = sched_get_priority_max(d->sched_policy);
	if (sched_setscheduler(0, d->sched_policy, &sp) != 0)
		tally_log(TALLY_QLOG_WARNING,
			  "could not give the polling thread real-time priority (%s): heartbeats "
			  "may be late when the CPU is busy",
			  strerror(errno));
}

static int usage(void)
{
	fprintf(stderr, "usage: tallyd [-f] [-p] [-c FILE] [-t]\n"
			"  -f       stay in the foreground\n"
			"  -p       no real-time priority (as engine.sched: other)\n"
			"  -c FILE  configuration (default $TALLY_CONF or " DEFAULT_CONF ")\n"
			"  -t       check the configuration and exit\n"
			"  environment: TALLY_INSTANCE names the daemon's service for clients\n");
	return 1;
}

static int configure(struct daemon *d, char *err, size_t errlen)
{
	const char *sd;
	const char *inst = getenv(TALLY_CTL_INSTANCE_ENV);

	d->map = tally_conf_load(d->conf_path, err, errlen);
	if (d->map == NULL)
		return -EINVAL;
	if (tally_log_configure(d->map, err, errlen) != 0 || sched_from_cmap(d, err, errlen) != 0 ||
	    tally_dp_cfg_from_cmap(&d->dpcfg, d->map, err, errlen) != 0 ||
	    tally_ctl_acl_from_cmap(d->map, &d->acl, err, errlen) != 0)
		return -EINVAL;
	if (tally_ctl_service_name(inst, d->service, sizeof(d->service)) != 0) {
		snprintf(err, errlen, "%s: bad instance name '%s'", TALLY_CTL_INSTANCE_ENV,
			 inst ? inst : "");
		return -EINVAL;
	}
	snprintf(d->instance, sizeof(d->instance), "%s", inst != NULL && *inst ? inst : "default");
	sd = tally_cmap_get(d->map, "engine.state_dir");
	snprintf(d->state_dir, sizeof(d->state_dir), "%s", sd != NULL ? sd : DEFAULT_STATE_DIR);
	if (d->dpcfg.port[0] == '\0') {
		snprintf(err, errlen, "engine.port is not set (a DPDK device, e.g. "
				      "net_af_packet0,iface=eth1, or a PCI address)");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	struct tally_engine_cfg ecfg = { 0 };
	struct tally_vq_settings vs;
	char err[512];
	bool foreground = false, check_only = false, no_rt = false;
	sigset_t sigs;
	pthread_t ctl_thread;
	int opt, rc;

	d->conf_path = getenv("TALLY_CONF") ? getenv("TALLY_CONF") : DEFAULT_CONF;
	while ((opt = getopt(argc, argv, "fpc:th")) != -1) {
		switch (opt) {
		case 'f':
			foreground = true;
			break;
		case 'p':
			no_rt = true;
			break;
		case 'c':
			d->conf_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (configure(d, err, sizeof(err)) != 0)
		return die("%s", err);
	if (no_rt)
		d->sched_policy = SCHED_OTHER;
	if (sodium_init() < 0)
		return die("libsodium cannot start");
	if (tally_conf_load_key(d->map, &ecfg.key, err, sizeof(err)) != 0 ||
	    tally_mb_params_from_cmap(d->map, &ecfg.mb, err, sizeof(err)) != 0 ||
	    tally_probe_params_from_cmap(d->map, &ecfg.probe, err, sizeof(err)) != 0)
		return die("%s", err);
	rc = find_nodeid(d, NULL);
	if (rc == -EINVAL)
		return die("engine.nodeid / totem.nodeid must be a number from 1");
	if (rc == 0 && tally_vq_settings_read(d->map, d->nodeid, &vs, err, sizeof(err)) != 0)
		return die("%s", err);
	if (check_only) {
		printf("tallyd: %s is valid\n", d->conf_path);
		return 0;
	}
	if (!foreground && daemon(0, 0) != 0)
		return die("cannot become a daemon: %s", strerror(errno));

	/* Before any thread exists: every thread inherits the mask, the signalfd gets them all. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (tally_dp_eal_init(&d->dpcfg, "tallyd", err, sizeof(err)) != 0)
		return die("EAL start-up failed: %s", err);
	d->dp = tally_dp_open(&d->dpcfg, -1, "tallyd", err, sizeof(err));
	if (d->dp == NULL)
		return die("port %s: %s", d->dpcfg.port, err);
	if (rc == -ENOENT) {
		if (find_nodeid(d, tally_dp_addr(d->dp)) != 0)
			return die("no node id: set engine.nodeid, or give this port's MAC as a "
				   "nodelist ring0_addr");
		if (tally_vq_settings_read(d->map, d->nodeid, &vs, err, sizeof(err)) != 0)
			return die("%s", err);
	}
	{
		struct timespec ts;

		/* Grows across restarts as long as the wall clock does (docs/design/tallyd.md). */
		clock_gettime(CLOCK_REALTIME, &ts);
		d->incarnation = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	remove_stale_segments(d);
	snprintf(d->shm_name, sizeof(d->shm_name), "/tally.%.32s.%d", d->instance, (int)getpid());
	d->segment = tally_ctl_segment_create(d->shm_name, &d->acl, TALLY_SHM_SEGMENT_SIZE, err,
					      sizeof(err));
	if (d->segment == NULL)
		return die("%s", err);
	d->note_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d->quit_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->note_fd < 0 || d->quit_fd < 0)
		return die("eventfd: %s", strerror(errno));

	ecfg.nodeid = d->nodeid;
	ecfg.incarnation = d->incarnation;
	ecfg.map = d->map;
	ecfg.ev_barrier = read_ev_barrier(d);
	ecfg.segment = d->segment;
	ecfg.segment_size = TALLY_SHM_SEGMENT_SIZE;
	ecfg.wake = kick;
	ecfg.ring = ring;
	ecfg.wake_ctx = d;
	ecfg.note_fd = d->note_fd;
	d->engine = tally_engine_create(&ecfg, d->dp, err, sizeof(err));
	if (d->engine == NULL) {
		tally_ctl_segment_destroy(d->shm_name, d->segment, TALLY_SHM_SEGMENT_SIZE);
		return die("%s", err);
	}

	sem_init(&d->ready, 0, 0);
	rc = rte_ctrl_thread_create(&ctl_thread, "tally-ctl", NULL, control_main, d);
	if (rc != 0) {
		tally_ctl_segment_destroy(d->shm_name, d->segment, TALLY_SHM_SEGMENT_SIZE);
		return die("control thread: %s", strerror(-rc));
	}
	sem_wait(&d->ready);
	if (d->ctl == NULL) {
		pthread_join(ctl_thread, NULL);
		tally_ctl_segment_destroy(d->shm_name, d->segment, TALLY_SHM_SEGMENT_SIZE);
		return die("control IPC %s: %s%s", d->service, strerror(d->ctl_errno),
			   d->ctl_errno == EADDRINUSE
				   ? " (another tallyd serves this instance here; set TALLY_INSTANCE)"
				   : "");
	}
	tally_log(TALLY_QLOG_NOTICE,
		  "node %" PRIu32 " up: port %s, lcore %u, service %s, segment %s, incarnation %" PRIu64,
		  d->nodeid, d->dpcfg.port, rte_lcore_id(), d->service, d->shm_name, d->incarnation);

	set_sched(d);	/* this thread only: the control thread stays an ordinary one */
	tally_dp_run(d->dp, tally_engine_dp_ops(), d->engine);

	{
		uint64_t one = 1;

		if (write(d->quit_fd, &one, sizeof(one)) < 0)
			tally_log(TALLY_QLOG_WARNING, "quit: %s", strerror(errno));
	}
	pthread_join(ctl_thread, NULL);
	tally_log(TALLY_QLOG_NOTICE, "node %" PRIu32 " left the cluster", d->nodeid);
	/* after a reload d->map is gone: the engine's map is the one left to free */
	d->map = tally_engine_map(d->engine);
	tally_engine_destroy(d->engine);
	tally_ctl_segment_destroy(d->shm_name, d->segment, TALLY_SHM_SEGMENT_SIZE);
	tally_dp_close(d->dp);
	rte_eal_cleanup();
	tally_cmap_free(d->map);
	tally_log_close();
	return 0;
}
