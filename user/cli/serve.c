/*
 * fastpath serve: a Prometheus exporter.  Runs a tracing session and answers
 * GET /metrics with the exposition of a fresh snapshot (re-read at most once
 * per interval, so several scrapers do not multiply the cost); GET / is a page
 * linking to it.  HTTP by libmicrohttpd, one internal thread: scrapes are
 * served one at a time, and the main thread only waits for a signal.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include "cli/commands.h"
#include "cli/session.h"
#include "model/group.h"
#include "util/dynlib.h"
#include "util/err.h"
#include "views/report.h"

#define DEFAULT_LISTEN "127.0.0.1:9464"

struct server {
	struct fp_session *S;
	struct fp_opts *o;
	pthread_mutex_t lock;		/* the session and the cached snapshot */
	struct fp_snapshot *snap;	/* last read, NULL before the first scrape */
	double snap_at;			/* session time of that read */
	double read_s;
	/* The processes that exited, summed by command name: an exporter
	 * runs for months on hosts that fork constantly, so it keeps what
	 * its series need (groups) rather than every process (record does). */
	struct fp_group *gone;
	size_t ngone;
};

/* Distinct command names kept for exited processes; the others are summed
 * as one: the series count stays bounded whatever names processes take. */
#define SERVE_MAX_GONE_COMMS 2048
#define SERVE_OTHER_COMM "[other]"

static const char index_page[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fastpath exporter</title></head>\n"
	"<body><h1>fastpath exporter</h1><p>Prometheus metrics: <a href=\"/metrics\">/metrics</a></p></body></html>\n";

/* libmicrohttpd is opened by serve, not linked (util/dynlib.h): with the
 * gnutls it pulls in it is 2.4 MB resident.  Its soname has been .12 since
 * 0.9.x. */
#define MHD_SYMS(X) X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_create_response_from_buffer) \
	X(MHD_add_response_header) X(MHD_queue_response) X(MHD_destroy_response)
static FP_DL_TABLE(mhd_table, MHD_SYMS) mhd;
static const char *const mhd_names[] = { MHD_SYMS(FP_DL_NAME) };
static struct fp_dynlib mhd_lib = {
	"libmicrohttpd.so.12", mhd_names, sizeof(mhd_names) / sizeof(mhd_names[0]), mhd.slot,
	.pkg = "libmicrohttpd12",
};

static double cpu_self(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static bool server__known_comm(const struct server *V, const char *comm)
{
	for (size_t i = 0; i < V->ngone; i++)
		if (!strcmp(V->gone[i].comm, comm))
			return true;
	return false;
}

/* The reaped processes leave the session for V->gone.  Called under
 * V->lock, only when the cached snapshot is stale, which it then drops:
 * that snapshot may hold them still, and a scrape must never count a
 * process twice (or a counter would step back at the next one). */
static int server__fold(struct server *V)
{
	struct fp_snapshot *taken = session__take_reaped(V->S);
	struct fp_group *g = NULL;
	size_t n = 0;
	int err;

	if (!taken)
		return -ENOMEM;
	snapshot__free(V->snap);
	V->snap = NULL;
	err = taken->nprocs ? groups__of(taken, false, &g, &n) : 0;
	for (size_t i = 0; !err && i < n; i++) {
		/* Never exported (paths and stacks are no labels), and kept for
		 * every command that ever exited they grew without bound: a
		 * build host stats a new set of headers with every compiler. */
		group__drop_detail(&g[i]);
		if (V->ngone >= SERVE_MAX_GONE_COMMS && !server__known_comm(V, g[i].comm))
			snprintf(g[i].comm, sizeof(g[i].comm), "%s", SERVE_OTHER_COMM);
	}
	if (!err)
		err = groups__merge(&V->gone, &V->ngone, g, n);
	groups__free(g, n);
	snapshot__free(taken);
	return err;
}

static bool server__fresh(const struct server *V, double now)
{
	return V->snap && now - V->snap_at < V->o->interval_s;
}

/* A fresh snapshot unless the cached one is younger than the interval. */
static int server__refresh(struct server *V)
{
	double now = session__elapsed(V->S), t0;
	struct fp_snapshot *s;
	int err;

	if (server__fresh(V, now))
		return 0;
	err = server__fold(V);
	if (err)
		return err;
	t0 = session__elapsed(V->S);
	err = session__snapshot(V->S, NULL, &s, NULL);
	if (err)
		return err;
	V->read_s = session__elapsed(V->S) - t0;
	snapshot__free(V->snap);
	V->snap = s;
	V->snap_at = now;
	return 0;
}

static char *server__metrics(struct server *V, size_t *len)
{
	struct fp_prom_opts po = { .pid_label = V->o->show_pid_label };
	char *buf = NULL;
	FILE *f;
	int err;

	pthread_mutex_lock(&V->lock);
	err = server__refresh(V);
	if (err) {
		pthread_mutex_unlock(&V->lock);
		fp_warn("cannot read the probes' maps for a scrape: %s", strerror(-err));
		return NULL;
	}
	f = open_memstream(&buf, len);
	if (f) {
		po.self_cpu_s = cpu_self();
		po.read_s = V->read_s;
		po.gone = V->gone;
		po.ngone = V->ngone;
		prom__write(f, V->snap, &po);
		if (fclose(f)) {
			free(buf);
			buf = NULL;
		}
	}
	pthread_mutex_unlock(&V->lock);
	return buf;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = mhd.MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	mhd.MHD_add_response_header(r, "Content-Type", type);
	ret = mhd.MHD_queue_response(c, status, r);
	mhd.MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_len, void **req)
{
	static char not_found[] = "not found: see /metrics\n";
	static char bad_method[] = "only GET and HEAD\n";
	static char failed[] = "fastpath could not read its maps; see its log\n";
	struct server *V = cls;
	size_t len = 0;
	char *body;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method, strlen(bad_method),
			     MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (char *)index_page,
			     strlen(index_page), MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, strlen(not_found),
			     MHD_RESPMEM_PERSISTENT);
	body = server__metrics(V, &len);
	if (!body)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", failed, strlen(failed),
			     MHD_RESPMEM_PERSISTENT);
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len,
		     MHD_RESPMEM_MUST_FREE);
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" (every address) or "PORT" (loopback). */
static int resolve_listen(const char *spec, struct addrinfo **res)
{
	char host[256] = "127.0.0.1", port[16];
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	const char *colon = strrchr(spec, ':');
	int e;

	if (!colon) {
		snprintf(port, sizeof(port), "%s", spec);
	} else {
		size_t hl = colon - spec;

		if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
			spec++;
			hl -= 2;
		}
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, hl);
		host[hl] = 0;
		if (!hl)
			snprintf(host, sizeof(host), "0.0.0.0");
		snprintf(port, sizeof(port), "%s", colon + 1);
	}
	if (!port[0] || strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535)
		return -EINVAL;
	e = getaddrinfo(host, port, &hints, res);
	return e ? -EINVAL : 0;
}

static struct MHD_Daemon *server__listen(struct server *V, const char *spec, struct addrinfo *ai)
{
	struct MHD_Daemon *d;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;

	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = mhd.MHD_start_daemon(flags, 0, NULL, NULL, on_request, V, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (!d)
		fp_err("serve: cannot listen on %s: %s: is the port in use? choose another with --listen",
		       spec, strerror(errno ? errno : EADDRINUSE));
	return d;
}

static void server__wait(struct server *V)
{
	struct timespec step = { 0, 100 * 1000000 };

	while (!fp_stop) {
		if (V->o->duration_s > 0 && session__elapsed(V->S) >= V->o->duration_s)
			break;
		pthread_mutex_lock(&V->lock);
		/* reaps the command's zombie; serving goes on until a signal,
		 * so the last totals stay scrapeable */
		session__targets_gone(V->S);
		/* without scrapes too, or the reaped would pile up */
		if (!server__fresh(V, session__elapsed(V->S)) && server__fold(V))
			fp_debug("cannot fold the exited processes: out of memory");
		pthread_mutex_unlock(&V->lock);
		/* reaps exited processes into the totals (probes lock themselves) */
		session__poll(V->S);
		nanosleep(&step, NULL);
	}
}

int cmd_serve(int argc, char **argv)
{
	struct server V = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct MHD_Daemon *d = NULL;
	struct fp_session S = {};
	struct addrinfo *ai = NULL;
	const char *where;
	struct fp_opts o;
	int err;

	err = opts__parse(&o, "serve", argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	/* Checked before attaching: a typo must not cost a trace. */
	where = o.listen ? o.listen : DEFAULT_LISTEN;
	if (resolve_listen(where, &ai)) {
		fp_err("serve: cannot use '%s' as a listen address: give HOST:PORT, [V6]:PORT or :PORT", where);
		return 1;
	}
	if (!dynlib__load(&mhd_lib)) {
		fp_err("serve: cannot load libmicrohttpd: %s", dynlib__error());
		freeaddrinfo(ai);
		return 1;
	}
	o.probe.bpf_stats = true;	/* our own cost is one of the metrics */
	V.S = &S;
	V.o = &o;
	session__signals();
	err = session__start(&S, &o);
	if (err)
		goto cleanup;
	d = server__listen(&V, where, ai);
	if (!d) {
		err = -EADDRNOTAVAIL;
		goto cleanup;
	}
	fp_info("serving Prometheus metrics on http://%s/metrics", where);
	server__wait(&V);
cleanup:
	if (d)
		mhd.MHD_stop_daemon(d);
	session__end(&S);
	snapshot__free(V.snap);
	groups__free(V.gone, V.ngone);
	freeaddrinfo(ai);
	return err ? 1 : 0;
}
