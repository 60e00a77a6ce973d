#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dlfcn.h>
#include <ncurses.h>
#include "util/dynlib.h"
#include "views/tui.h"
#include "views/detail.h"
#include "views/units.h"
#include "util/escape.h"

/* ncurses is opened by the view, not linked (util/dynlib.h): with libtinfo
 * it is 0.2 MB resident from exec in every other command.  The calls below
 * (and those ncurses.h's macros expand to) go through the table; stdscr,
 * LINES and COLS are its variables. */
#define NC_SYMS(X) X(cbreak) X(curs_set) X(delscreen) X(endwin) X(has_colors) X(init_pair) \
	X(keypad) X(newterm) X(noecho) X(set_escdelay) X(set_term) X(start_color) \
	X(use_default_colors) X(waddnstr) X(wattr_off) X(wattr_on) X(wchgat) X(werase) X(wgetch) \
	X(whline) X(wmove) X(wrefresh) X(wtimeout)
static FP_DL_TABLE(nc_table, NC_SYMS) nc;
static const char *const nc_names[] = { NC_SYMS(FP_DL_NAME) };
static struct fp_dynlib nc_lib = { "libncursesw.so.6", nc_names, sizeof(nc_names) / sizeof(nc_names[0]), nc.slot,
				   .pkg = "libncursesw6", .lost = "no interactive view (top --batch works)" };
static WINDOW **nc_stdscr;
static int *nc_lines, *nc_cols;
#define NC_CALL(f) (nc.f)
#define cbreak NC_CALL(cbreak)
#define curs_set NC_CALL(curs_set)
#define delscreen NC_CALL(delscreen)
#define endwin NC_CALL(endwin)
#define has_colors NC_CALL(has_colors)
#define init_pair NC_CALL(init_pair)
#define keypad NC_CALL(keypad)
#define newterm NC_CALL(newterm)
#define noecho NC_CALL(noecho)
#define set_escdelay NC_CALL(set_escdelay)
#define set_term NC_CALL(set_term)
#define start_color NC_CALL(start_color)
#define use_default_colors NC_CALL(use_default_colors)
#define waddnstr NC_CALL(waddnstr)
#define wattr_off NC_CALL(wattr_off)
#define wattr_on NC_CALL(wattr_on)
#define wchgat NC_CALL(wchgat)
#define werase NC_CALL(werase)
#define wgetch NC_CALL(wgetch)
#define whline NC_CALL(whline)
#define wmove NC_CALL(wmove)
#define wrefresh NC_CALL(wrefresh)
#define wtimeout NC_CALL(wtimeout)
#undef stdscr
#undef LINES
#undef COLS
#define stdscr (*nc_stdscr)
#define LINES (*nc_lines)
#define COLS (*nc_cols)

static bool nc_load(void)
{
	if (!dynlib__load(&nc_lib))
		return false;
	nc_stdscr = dlsym(nc_lib.handle, "stdscr");
	nc_lines = dlsym(nc_lib.handle, "LINES");
	nc_cols = dlsym(nc_lib.handle, "COLS");
	return nc_stdscr && nc_lines && nc_cols;
}

#define LINGER 3		/* intervals an exited process stays, dimmed */
#define HEADER_LINES 3
#define KEY_ESC 27

enum { PAIR_TITLE = 1, PAIR_COLHDR, PAIR_SEL, PAIR_WARN, PAIR_CRIT, PAIR_BAR, PAIR_INFO };
enum view { V_LIST, V_DETAIL, V_HELP };

struct tui {
	SCREEN *scr;
	bool colors;
	struct fp_snapshot *d;		/* the interval shown */
	struct top_info info;
	struct top_row *rows;
	size_t nrows, cap;
	int sort_col;
	bool sort_desc;
	char filter[64];
	bool editing;			/* typing a filter */
	char edit[64];
	int sel_pid;
	size_t sel, first;		/* selected row, first row on screen */
	enum view view, back;		/* back: where help returns */
	int scroll;			/* detail */
	struct detail *det;
};

static void draw(struct tui *t);

static int attr_of(const struct tui *t, int pair, int fallback)
{
	return t->colors ? (int)COLOR_PAIR(pair) : fallback;
}

static void colors__init(struct tui *t)
{
	if (!has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	init_pair(PAIR_TITLE, COLOR_CYAN, -1);
	init_pair(PAIR_COLHDR, COLOR_BLACK, COLOR_GREEN);
	init_pair(PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_CRIT, COLOR_RED, -1);
	init_pair(PAIR_BAR, COLOR_GREEN, -1);
	init_pair(PAIR_INFO, COLOR_BLUE, -1);
	t->colors = true;
}

int tui__open(struct tui **out, double interval_s)
{
	struct tui *t;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -ENOTTY;
	if (!nc_load())
		return -ENOENT;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	/* newterm, not initscr: initscr exits the program on a bad TERM. */
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		free(t);
		return -ENOTTY;
	}
	set_term(t->scr);
	cbreak();		/* Ctrl-C stays a signal: the loop sees fp_stop */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	colors__init(t);
	t->sort_col = TOP_SYS;
	t->sort_desc = true;
	t->sel_pid = -1;
	t->info.interval_s = interval_s;
	draw(t);
	*out = t;
	return 0;
}

void tui__close(struct tui *t)
{
	if (!t)
		return;
	if (t->scr) {
		endwin();
		delscreen(t->scr);
		t->scr = NULL;
	}
	snapshot__free(t->d);
	detail__free(t->det);
	free(t->rows);
	free(t);
}

bool tui__paused(const struct tui *t)
{
	return t->info.paused;
}

/* ---- the table ----------------------------------------------------------- */

static void rows__rebuild(struct tui *t)
{
	size_t need = t->d ? t->d->nprocs : 0;

	if (need > t->cap) {
		void *n = realloc(t->rows, need * sizeof(*t->rows));

		if (!n)
			return;		/* keep the old rows' count below */
		t->rows = n;
		t->cap = need;
	}
	t->nrows = t->d ? toprows__build(t->d, t->rows, t->cap, t->filter, LINGER, false) : 0;
	toprows__sort(t->rows, t->nrows, t->sort_col, t->sort_desc);
	/* The selection follows its process, not its line. */
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].pid == t->sel_pid)
			t->sel = i;
	if (t->sel >= t->nrows)
		t->sel = t->nrows ? t->nrows - 1 : 0;
	t->sel_pid = t->nrows ? t->rows[t->sel].pid : -1;
}

static void line_fill(int y, int attr)
{
	attron(attr);
	mvhline(y, 0, ' ', COLS);
	attroff(attr);
}

static void put_at(int y, int x, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y >= LINES || x >= COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, x, buf, COLS - x);
	attroff(attr);
}

static void draw_header(struct tui *t)
{
	struct top_totals s;
	char a[16], b[16], c[16];
	long up = (long)t->info.uptime_s;
	const struct fp_snapshot *d = t->d;

	put_at(0, 0, A_BOLD | attr_of(t, PAIR_TITLE, 0), "fastpath top");
	put_at(0, 13, 0, "- %s - %s - up %ld:%02ld:%02ld - every %.3gs - %s%s",
	       ESC(d ? d->meta.host : ""), ESC(d ? d->meta.kernel : ""), up / 3600, up / 60 % 60, up % 60,
	       t->info.interval_s, ESC(d ? d->meta.target : ""),
	       t->info.targets_gone ? " (exited)" : "");
	if (t->info.paused)
		put_at(0, COLS > 8 ? COLS - 8 : 0, A_REVERSE | A_BOLD, "[PAUSED]");
	if (!d) {
		put_at(1, 0, 0, "waiting for the first interval...");
		return;
	}
	toptotals__compute(d, &s);
	put_at(1, 0, 0, "procs %zu, exited %zu   syscalls %s/s   errors %s/s   events %s/s",
	       s.procs, s.exited, units__num5(s.syscalls, a, sizeof(a)),
	       units__num5(s.errors, b, sizeof(b)), units__num5(s.events, c, sizeof(c)));
	if (s.dropped)
		put_at(1, COLS > 20 ? COLS - 20 : 0, attr_of(t, PAIR_WARN, A_BOLD), "  dropped %llu",
		       (unsigned long long)s.dropped);
	if (t->info.bpf_stats)
		put_at(2, 0, 0, "self: BPF %.2f%% CPU (%s runs/s)   fastpath %.2f%% CPU",
		       s.bpf_cpu_pct, units__num5(s.bpf_runs, a, sizeof(a)), t->info.self_cpu_pct);
	else
		put_at(2, 0, 0, "self: BPF n/a (no run-time statistics)   fastpath %.2f%% CPU",
		       t->info.self_cpu_pct);
}

static int row_attr(struct tui *t, const struct top_row *r, bool selected)
{
	if (selected)
		return attr_of(t, PAIR_SEL, A_REVERSE);
	if (r->exited)
		return A_DIM;
	return 0;
}

static int list_height(void)
{
	return LINES - HEADER_LINES - 3;	/* two header lines, one footer */
}

static void draw_list(struct tui *t)
{
	struct top_layout L;
	char line[1024];
	int y = HEADER_LINES, h = list_height();

	toplayout__fit_waits(&L, COLS, toplayout__has_waits(t->d));
	put_at(y++, 0, A_BOLD, "%s", toplayout__header(&L, 0, line, sizeof(line)));
	line_fill(y, attr_of(t, PAIR_COLHDR, A_REVERSE));
	put_at(y, 0, attr_of(t, PAIR_COLHDR, A_REVERSE), "%s", toplayout__header(&L, 1, line, sizeof(line)));
	/* The sort column's title, underlined. */
	mvchgat(y, L.x[t->sort_col], L.width[t->sort_col],
		A_BOLD | A_UNDERLINE | (t->colors ? 0 : A_REVERSE), t->colors ? PAIR_COLHDR : 0, NULL);
	y++;
	if (h < 1)
		return;
	if (t->sel < t->first)
		t->first = t->sel;
	if (t->sel >= t->first + (size_t)h)
		t->first = t->sel - h + 1;
	for (size_t i = t->first; i < t->nrows && y < LINES - 1; i++, y++) {
		const struct top_row *r = &t->rows[i];
		bool selected = i == t->sel;
		int attr = row_attr(t, r, selected);

		if (selected)
			line_fill(y, attr);
		put_at(y, 0, attr, "%s", toplayout__row(&L, r, line, sizeof(line)));
		if (r->severity && !selected)
			mvchgat(y, L.x[TOP_FLAGS], L.width[TOP_FLAGS], A_BOLD | (r->exited ? A_DIM : 0),
				r->severity >= 3 ? PAIR_CRIT : r->severity == 2 ? PAIR_WARN : PAIR_INFO, NULL);
	}
	if (!t->nrows)
		put_at(y, 0, A_DIM, t->filter[0] ? "no process matches the filter '%s'"
					      : "no traced process has run yet", ESC(t->filter));
}

static void draw_footer(struct tui *t)
{
	int y = LINES - 1;

	line_fill(y, A_REVERSE);
	if (t->editing) {
		put_at(y, 0, A_REVERSE, "filter (name, pid or container; Enter applies, Esc cancels): %s", ESC(t->edit));
		curs_set(1);
		return;
	}
	curs_set(0);
	if (t->view == V_DETAIL) {
		put_at(y, 0, A_REVERSE, "Esc back  Up/Down/PgUp/PgDn scroll  p pause  h help  q quit");
		return;
	}
	put_at(y, 0, A_REVERSE, "sort %s %s%s%s%s  Enter detail  / filter  <> sort  p pause  h help  q quit",
	       top_cols[t->sort_col].name, t->sort_desc ? "v" : "^",
	       t->filter[0] ? "  filter '" : "", ESC(t->filter), t->filter[0] ? "'" : "");
}

/* ---- detail and help --------------------------------------------------------- */

static int kind_attr(struct tui *t, int kind)
{
	switch (kind) {
	case DL_TITLE:
		return A_BOLD | attr_of(t, PAIR_TITLE, 0);
	case DL_WARN:
		return A_BOLD | attr_of(t, PAIR_WARN, 0);
	case DL_CRIT:
		return A_BOLD | attr_of(t, PAIR_CRIT, 0);
	case DL_DIM:
		return A_DIM;
	default:
		return 0;
	}
}

static void draw_lines(struct tui *t, const struct detail *det, int y0)
{
	int h = LINES - 1 - y0, max;
	size_t n = detail__count(det);

	max = (int)n > h ? (int)n - h : 0;
	if (t->scroll > max)
		t->scroll = max;
	if (t->scroll < 0)
		t->scroll = 0;
	for (int i = 0; i < h && (size_t)(t->scroll + i) < n; i++) {
		const struct detail_line *l = detail__line(det, t->scroll + i);

		put_at(y0 + i, 0, kind_attr(t, l->kind), "%s", l->text);
		if (l->bar_len && l->bar_x < COLS)
			mvchgat(y0 + i, l->bar_x, l->bar_len, A_BOLD, t->colors ? PAIR_BAR : 0, NULL);
	}
}

static void draw_detail(struct tui *t)
{
	const struct fp_proc *p = t->d ? snapshot__proc(t->d, t->sel_pid, false) : NULL;

	detail__free(t->det);
	t->det = detail__new();
	if (!t->det)
		return;
	if (p)
		detail__proc(t->det, p, t->d->interval_s, COLS);
	else
		detail__add(t->det, DL_DIM, "process %d is gone (Esc goes back)", t->sel_pid);
	draw_lines(t, t->det, HEADER_LINES);
}

static void draw_help(struct tui *t)
{
	detail__free(t->det);
	t->det = detail__new();
	if (!t->det)
		return;
	detail__help(t->det);
	draw_lines(t, t->det, 1);
}

static void draw(struct tui *t)
{
	erase();
	if (COLS < 40 || LINES < 10) {
		put_at(0, 0, A_BOLD, "fastpath top: the terminal is too small (%dx%d, at least 40x10)", COLS, LINES);
		refresh();
		return;
	}
	if (t->view == V_HELP) {
		put_at(0, 0, A_BOLD | attr_of(t, PAIR_TITLE, 0), "fastpath top - help (arrows scroll, any other key returns)");
		draw_help(t);
	} else {
		draw_header(t);
		if (t->view == V_DETAIL)
			draw_detail(t);
		else
			draw_list(t);
		draw_footer(t);
	}
	refresh();
}

void tui__update(struct tui *t, struct fp_snapshot *d, const struct top_info *in)
{
	bool paused = t->info.paused;

	if (paused) {
		snapshot__free(d);
		t->info.targets_gone = in->targets_gone;
	} else {
		snapshot__free(t->d);
		t->d = d;
		t->info = *in;
		rows__rebuild(t);
	}
	t->info.paused = paused;
	draw(t);
}

/* ---- keys -------------------------------------------------------------------- */

static void move_sel(struct tui *t, long by)
{
	long s = (long)t->sel + by;

	if (s < 0 || !t->nrows)
		s = 0;
	else if (s >= (long)t->nrows)
		s = (long)t->nrows - 1;
	t->sel = (size_t)s;
	t->sel_pid = t->nrows ? t->rows[t->sel].pid : -1;
}

static void set_sort(struct tui *t, int col)
{
	if (col == t->sort_col)
		t->sort_desc = !t->sort_desc;
	else
		t->sort_desc = top_cols[col].desc;
	t->sort_col = col;
	rows__rebuild(t);
}

static void key_filter(struct tui *t, int ch)
{
	size_t n = strlen(t->edit);

	if (ch == '\n' || ch == KEY_ENTER || ch == '\r') {
		snprintf(t->filter, sizeof(t->filter), "%s", t->edit);
		t->editing = false;
		t->sel = 0;
		rows__rebuild(t);
	} else if (ch == KEY_ESC) {
		t->editing = false;
	} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n) {
		t->edit[n - 1] = 0;
	} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(t->edit)) {
		t->edit[n] = (char)ch;
		t->edit[n + 1] = 0;
	}
}

static void key_detail(struct tui *t, int ch)
{
	int page = LINES - HEADER_LINES - 2;

	switch (ch) {
	case KEY_ESC: case KEY_LEFT: case KEY_BACKSPACE: case 127:
		t->view = V_LIST;
		break;
	case KEY_UP: case 'k':
		t->scroll--;
		break;
	case KEY_DOWN: case 'j':
		t->scroll++;
		break;
	case KEY_PPAGE:
		t->scroll -= page;
		break;
	case KEY_NPAGE: case ' ':
		t->scroll += page;
		break;
	case KEY_HOME: case 'g':
		t->scroll = 0;
		break;
	case KEY_END: case 'G':
		t->scroll = 1 << 20;	/* clamped when drawn */
		break;
	}
}

static void key_list(struct tui *t, int ch)
{
	int page = list_height() > 1 ? list_height() - 1 : 1, col;

	switch (ch) {
	case KEY_UP: case 'k':
		move_sel(t, -1);
		break;
	case KEY_DOWN: case 'j':
		move_sel(t, 1);
		break;
	case KEY_PPAGE:
		move_sel(t, -page);
		break;
	case KEY_NPAGE: case ' ':
		move_sel(t, page);
		break;
	case KEY_HOME: case 'g':
		move_sel(t, -(long)t->nrows);
		break;
	case KEY_END: case 'G':
		move_sel(t, (long)t->nrows);
		break;
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
		if (t->nrows) {
			t->view = V_DETAIL;
			t->scroll = 0;
		}
		break;
	case '<':
		set_sort(t, (t->sort_col + TOP_NCOLS - 1) % TOP_NCOLS);
		break;
	case '>':
		set_sort(t, (t->sort_col + 1) % TOP_NCOLS);
		break;
	case 'I':
		t->sort_desc = !t->sort_desc;
		rows__rebuild(t);
		break;
	case '/':
		t->editing = true;
		snprintf(t->edit, sizeof(t->edit), "%s", t->filter);
		break;
	case KEY_ESC:
		t->filter[0] = 0;	/* Esc in the list clears the filter */
		rows__rebuild(t);
		break;
	case 'c':
		/* only the selected process's container (or unit) */
		if (t->nrows)
			top__container(t->rows[t->sel].p, t->filter, sizeof(t->filter));
		rows__rebuild(t);
		break;
	default:
		col = topcol__by_key(ch);
		if (col >= 0)
			set_sort(t, col);
	}
}

bool tui__poll(struct tui *t, int timeout_ms)
{
	int ch;

	timeout(timeout_ms);
	ch = getch();
	if (ch == ERR)
		return false;	/* timeout, or a signal: the caller checks fp_stop */
	if (ch == KEY_RESIZE) {
		draw(t);
		return false;
	}
	if (t->editing) {
		key_filter(t, ch);
	} else if (t->view == V_HELP) {
		if (ch == 'q')
			return true;
		if (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_PPAGE || ch == KEY_NPAGE) {
			key_detail(t, ch);	/* scrolls */
		} else {
			t->view = t->back;
			t->scroll = 0;
		}
	} else if (ch == 'q' || ch == 'Q') {
		return true;
	} else if (ch == 'h' || ch == '?') {
		t->back = t->view;
		t->view = V_HELP;
		t->scroll = 0;
	} else if (ch == 'p' || ch == 'P') {
		t->info.paused = !t->info.paused;
	} else if (t->view == V_DETAIL) {
		key_detail(t, ch);
	} else {
		key_list(t, ch);
	}
	draw(t);
	return false;
}
