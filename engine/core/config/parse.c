/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * corosync.conf, read the way corosync 3.1.7's coroparse reads it, and
 * flattened into the cmap keys coroparse makes (cmap.h has the mapping).
 *
 * Lines, as in coroparse's parse_section(): blank lines and lines whose
 * first non-blank character is '#' are ignored; a line holding '{' opens a
 * section ("name {", nothing after the brace); else a line holding ':' is
 * "key: value" (split at the first ':', so IPv6 addresses work); else the
 * line must be a lone '}'. Names and values are trimmed.
 *
 * Where coroparse is lax, tally refuses, because a typo in a quorum
 * configuration is dangerous: unknown top-level sections, names that are not
 * icmap characters (or hold a dot, which would let a key reach into another
 * section's keys), a '}' inside a value (`two_node: 1 }`), subsections where
 * corosync has no use for them, a second nodelist section (coroparse would
 * renumber its nodes from 0, over the first section's), nesting deeper than
 * 16, lines over 4096 bytes, NUL bytes.
 *
 * Every error is one line, "origin:line: reason"; no input makes the parser
 * crash, loop or read outside `text`.
 */
#include "config/cmap.h"
#include "config/config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16
#define MAX_LINE 4096
#define KEY_MAX 255 /* corosync's ICMAP_KEYNAME_MAXLEN */
#define QUOTE_MAX 64 /* bytes of user text quoted in an error */

/* Sections whose keys coroparse renames (main_config_parser_cb's states). */
enum section_kind {
	SECTION_PLAIN,
	SECTION_NODE,		/* nodelist.node -> nodelist.node.<index>.key */
	SECTION_INTERFACE,	/* totem.interface -> totem.interface.<linknumber>.key */
	SECTION_MEMBER,		/* totem.interface.member -> totem.interface.<link>.member.<i> */
	SECTION_LOGGER_SUBSYS,	/* logging.logger_subsys -> logging.logger_subsys.<subsys>.key */
	SECTION_LOGGING_DAEMON, /* logging.logging_daemon -> see flush_logging_daemon() */
	SECTION_UIDGID,		/* uidgid { uid: X } -> uidgid.uid.X = 1 */
};

/* A key of a section whose cmap name is known only at its closing brace. */
struct item {
	char *key;
	char *value;
	unsigned long line;
};

struct items {
	struct item *v;
	size_t n;
	size_t cap;
};

struct frame {
	enum section_kind kind;
	unsigned long line;	/* of the opening brace */
	size_t parent_len;	/* length of parser.path outside this section */
};

struct parser {
	struct tally_cmap *map;
	const char *origin;
	char *err;
	size_t errlen;
	char *where;		/* "origin:line" of the key being stored */
	size_t where_len;
	unsigned long line;
	char path[KEY_MAX + 1]; /* cmap prefix of the innermost section */
	struct frame stack[MAX_DEPTH];
	int depth;
	unsigned int nodes;	/* nodelist.node sections so far */
	bool seen_nodelist;
	/*
	 * The held keys of the open interface, logger_subsys or logging_daemon
	 * section. Those cannot nest in one another, so one buffer is enough;
	 * close_section() empties it.
	 */
	struct items held;
	struct items members;	/* memberaddr values of the open interface */
};

static const char *const top_sections[] = {
	"totem", "logging", "quorum", "nodelist", "system", "resources", "uidgid", "qb", "engine",
};

static int fail(struct parser *p, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (p->err == NULL || p->errlen == 0)
		return -EINVAL;
	off = snprintf(p->err, p->errlen, "%s:%lu: ", p->origin, line);
	if (off >= 0 && (size_t)off < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + off, p->errlen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int no_memory(struct parser *p, unsigned long line)
{
	fail(p, line, "out of memory");
	return -ENOMEM;
}

/*
 * User text for an error message: at most QUOTE_MAX bytes, and anything
 * but printable ASCII shown as '?', so that a hostile file cannot put
 * terminal escapes or a second line into a log.
 */
static const char *quote(char *buf, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < QUOTE_MAX; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(&buf[i], "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char *trim(char *s)
{
	char *end;

	while (blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && blank(end[-1]))
		*--end = '\0';
	return s;
}

/* A section or key name: icmap characters, without the '.' that joins names. */
static bool name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '/'))
			return false;
	return true;
}


/* Store one key, named by a format, with the file and line it came from. */
static int put(struct parser *p, unsigned long line, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(struct parser *p, unsigned long line, const char *value, const char *fmt, ...)
{
	char key[KEY_MAX + 2], q[QUOTE_MAX + 4];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	if (n < 0 || n > KEY_MAX)
		return fail(p, line, "key '%s' makes the cmap path longer than %d characters",
			    quote(q, key), KEY_MAX);
	snprintf(p->where, p->where_len, "%s:%lu", p->origin, line);
	rc = tally_cmap_set_at(p->map, key, value, p->where);
	if (rc == -ENOMEM)
		return no_memory(p, line);
	if (rc != 0)
		return fail(p, line, "invalid key '%s'", quote(q, key));
	return 0;
}

static void items_clear(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].key);
		free(it->v[i].value);
	}
	free(it->v);
	it->v = NULL;
	it->n = 0;
	it->cap = 0;
}

static int items_add(struct items *it, const char *key, const char *value, unsigned long line)
{
	struct item *x;

	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 8;

		if (cap > SIZE_MAX / sizeof(*x))
			return -ENOMEM;
		x = realloc(it->v, cap * sizeof(*x));
		if (x == NULL)
			return -ENOMEM;
		it->v = x;
		it->cap = cap;
	}
	x = &it->v[it->n];
	x->key = config_strdup(key);
	x->value = config_strdup(value);
	x->line = line;
	if (x->key == NULL || x->value == NULL) {
		free(x->key);
		free(x->value);
		return -ENOMEM;
	}
	it->n++;
	return 0;
}

/* The last value of `key` among the held items (the last one wins, as everywhere). */
static const struct item *items_find(const struct items *it, const char *key)
{
	const struct item *found = NULL;

	for (size_t i = 0; i < it->n; i++)
		if (strcmp(it->v[i].key, key) == 0)
			found = &it->v[i];
	return found;
}

static int open_section(struct parser *p, const char *name)
{
	struct frame *parent = p->depth ? &p->stack[p->depth - 1] : NULL;
	size_t parent_len = strlen(p->path);
	enum section_kind kind = SECTION_PLAIN;
	char q[QUOTE_MAX + 4];
	struct frame *f;
	int n;

	if (!name_ok(name))
		return fail(p, p->line, "invalid section name '%s'", quote(q, name));
	if (p->depth == MAX_DEPTH)
		return fail(p, p->line, "sections nested deeper than %d", MAX_DEPTH);
	if (parent == NULL) {
		bool known = false;

		for (size_t i = 0; i < sizeof(top_sections) / sizeof(top_sections[0]); i++)
			known = known || strcmp(name, top_sections[i]) == 0;
		if (!known)
			return fail(p, p->line, "unknown section '%s'", name);
		if (strcmp(name, "nodelist") == 0) {
			if (p->seen_nodelist)
				return fail(p, p->line,
					    "a second nodelist section (corosync would number its "
					    "nodes from 0 again, over the first ones): use one");
			p->seen_nodelist = true;
		}
	} else if (parent->kind == SECTION_INTERFACE) {
		if (strcmp(name, "member") != 0)
			return fail(p, p->line,
				    "section 'totem.interface' cannot hold a section '%s' "
				    "(only 'member')",
				    name);
		kind = SECTION_MEMBER;
	} else if (parent->kind != SECTION_PLAIN) {
		return fail(p, p->line, "section '%s' cannot hold a section", p->path);
	}

	n = snprintf(p->path + parent_len, sizeof(p->path) - parent_len, "%s%s",
		     parent_len ? "." : "", name);
	if (n < 0 || (size_t)n >= sizeof(p->path) - parent_len) {
		p->path[parent_len] = '\0';
		return fail(p, p->line, "section '%s' makes the cmap path longer than %d characters",
			    quote(q, name), KEY_MAX);
	}
	if (strcmp(p->path, "nodelist.node") == 0) {
		kind = SECTION_NODE;
		/* "nodelist.node.4294967295" still fits: no overflow possible */
		snprintf(p->path, sizeof(p->path), "nodelist.node.%u", p->nodes++);
	} else if (strcmp(p->path, "totem.interface") == 0) {
		kind = SECTION_INTERFACE;
	} else if (strcmp(p->path, "logging.logger_subsys") == 0) {
		kind = SECTION_LOGGER_SUBSYS;
	} else if (strcmp(p->path, "logging.logging_daemon") == 0) {
		kind = SECTION_LOGGING_DAEMON;
	} else if (strcmp(p->path, "uidgid") == 0) {
		kind = SECTION_UIDGID;
	}

	f = &p->stack[p->depth++];
	f->kind = kind;
	f->line = p->line;
	f->parent_len = parent_len;
	return 0;
}

/* A linknumber as coroparse takes it: a decimal integer from 0 to 255. */
static int link_number(const char *s, unsigned int *out)
{
	unsigned int x = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10 + (unsigned int)(*s - '0');
		if (x > 255)
			return -1;
	}
	*out = x;
	return 0;
}

/*
 * totem.interface: every key goes under the link number. corosync 3 calls
 * it linknumber; corosync 2's ringnumber is taken when linknumber is absent.
 * member { memberaddr: A } sections become totem.interface.<link>.member.<i>,
 * numbered last-first as coroparse does (it prepends them to a list).
 */
static int flush_interface(struct parser *p)
{
	const struct item *id = items_find(&p->held, "linknumber");
	char q[QUOTE_MAX + 4];
	unsigned int link = 0;
	int rc = 0;

	if (id == NULL)
		id = items_find(&p->held, "ringnumber");
	if (id != NULL && link_number(id->value, &link) != 0)
		return fail(p, id->line, "%s '%s' is not an integer from 0 to 255", id->key,
			    quote(q, id->value));
	for (size_t i = 0; i < p->held.n && rc == 0; i++) {
		const struct item *it = &p->held.v[i];

		if (strcmp(it->key, "linknumber") == 0 || strcmp(it->key, "ringnumber") == 0)
			continue;
		rc = put(p, it->line, it->value, "totem.interface.%u.%s", link, it->key);
	}
	for (size_t i = 0; i < p->members.n && rc == 0; i++) {
		const struct item *it = &p->members.v[p->members.n - 1 - i];

		rc = put(p, it->line, it->value, "totem.interface.%u.member.%zu", link, i);
	}
	return rc;
}

/* logging.logger_subsys.<subsys>.<key>, and .subsys = <subsys> itself. */
static int flush_logger_subsys(struct parser *p, const struct frame *f)
{
	const struct item *subsys = items_find(&p->held, "subsys");
	char q[QUOTE_MAX + 4];
	int rc = 0;

	if (subsys == NULL)
		return fail(p, f->line, "logger_subsys section without a subsys key");
	if (!name_ok(subsys->value))
		return fail(p, subsys->line, "invalid subsys '%s'", quote(q, subsys->value));
	for (size_t i = 0; i < p->held.n && rc == 0; i++) {
		const struct item *it = &p->held.v[i];

		if (strcmp(it->key, "subsys") != 0)
			rc = put(p, it->line, it->value, "logging.logger_subsys.%s.%s",
				 subsys->value, it->key);
	}
	if (rc == 0)
		rc = put(p, subsys->line, subsys->value, "logging.logger_subsys.%s.subsys",
			 subsys->value);
	return rc;
}

/*
 * logging_daemon { name: N [subsys: S] key: v }, as coroparse stores it:
 * name "corosync" means corosync's own logging (logging.key, or
 * logging.logger_subsys.S.key); any other name goes under
 * logging.logging_daemon.N[.S].
 */
static int flush_logging_daemon(struct parser *p, const struct frame *f)
{
	const struct item *name = items_find(&p->held, "name");
	const struct item *subsys = items_find(&p->held, "subsys");
	char q[QUOTE_MAX + 4];
	bool own;
	int rc = 0;

	if (name == NULL)
		return fail(p, f->line, "logging_daemon section without a name key");
	if (!name_ok(name->value))
		return fail(p, name->line, "invalid name '%s'", quote(q, name->value));
	if (subsys != NULL && !name_ok(subsys->value))
		return fail(p, subsys->line, "invalid subsys '%s'", quote(q, subsys->value));
	own = strcmp(name->value, "corosync") == 0;
	for (size_t i = 0; i < p->held.n && rc == 0; i++) {
		const struct item *it = &p->held.v[i];

		if (strcmp(it->key, "name") == 0 || strcmp(it->key, "subsys") == 0)
			continue;
		if (subsys == NULL && own)
			rc = put(p, it->line, it->value, "logging.%s", it->key);
		else if (subsys == NULL)
			rc = put(p, it->line, it->value, "logging.logging_daemon.%s.%s", name->value,
				 it->key);
		else if (own)
			rc = put(p, it->line, it->value, "logging.logger_subsys.%s.%s",
				 subsys->value, it->key);
		else
			rc = put(p, it->line, it->value, "logging.logging_daemon.%s.%s.%s",
				 name->value, subsys->value, it->key);
	}
	if (rc != 0)
		return rc;
	if (subsys == NULL && !own)
		return put(p, name->line, name->value, "logging.logging_daemon.%s.name",
			   name->value);
	if (subsys != NULL && own)
		return put(p, subsys->line, subsys->value, "logging.logger_subsys.%s.subsys",
			   subsys->value);
	if (subsys != NULL) {
		rc = put(p, subsys->line, subsys->value, "logging.logging_daemon.%s.%s.subsys",
			 name->value, subsys->value);
		if (rc == 0)
			rc = put(p, name->line, name->value, "logging.logging_daemon.%s.%s.name",
				 name->value, subsys->value);
	}
	return rc;
}

static int close_section(struct parser *p)
{
	struct frame *f;
	int rc = 0;

	if (p->depth == 0)
		return fail(p, p->line, "unexpected closing brace");
	f = &p->stack[p->depth - 1];
	switch (f->kind) {
	case SECTION_INTERFACE:
		rc = flush_interface(p);
		break;
	case SECTION_LOGGER_SUBSYS:
		rc = flush_logger_subsys(p, f);
		break;
	case SECTION_LOGGING_DAEMON:
		rc = flush_logging_daemon(p, f);
		break;
	default:
		break;
	}
	if (f->kind == SECTION_INTERFACE || f->kind == SECTION_LOGGER_SUBSYS ||
	    f->kind == SECTION_LOGGING_DAEMON) {
		items_clear(&p->held);
		items_clear(&p->members);
	}
	p->path[f->parent_len] = '\0';
	p->depth--;
	return rc;
}

static int key_value(struct parser *p, const char *key, const char *value)
{
	char q[QUOTE_MAX + 4];
	struct frame *f;
	int rc = 0;

	if (p->depth == 0)
		return fail(p, p->line, "'%s' is outside any section", quote(q, key));
	if (*key == '\0')
		return fail(p, p->line, "invalid key '': a key name can't be empty");
	if (!name_ok(key))
		return fail(p, p->line, "invalid key '%s'", quote(q, key));
	if (strchr(value, '}') != NULL)
		return fail(p, p->line, "a brace cannot follow a value: close the section on "
					"a line of its own");
	f = &p->stack[p->depth - 1];

	switch (f->kind) {
	case SECTION_INTERFACE:
	case SECTION_LOGGER_SUBSYS:
	case SECTION_LOGGING_DAEMON:
		rc = items_add(&p->held, key, value, p->line);
		break;
	case SECTION_MEMBER:
		if (strcmp(key, "memberaddr") != 0)
			return fail(p, p->line, "only memberaddr is allowed in a member section");
		rc = items_add(&p->members, key, value, p->line);
		break;
	case SECTION_UIDGID:
		if (strcmp(key, "uid") != 0 && strcmp(key, "gid") != 0)
			return fail(p, p->line, "uidgid takes uid: and gid: keys, not '%s'", key);
		if (!name_ok(value))
			return fail(p, p->line, "invalid %s '%s'", key, quote(q, value));
		return put(p, p->line, "1", "uidgid.%s.%s", key, value);
	case SECTION_PLAIN:
	case SECTION_NODE:
		return put(p, p->line, value, "%s.%s", p->path, key);
	}
	return rc == -ENOMEM ? no_memory(p, p->line) : rc;
}

static int parse_line(struct parser *p, char *raw)
{
	char q[QUOTE_MAX + 4];
	char *line = trim(raw);
	char *mark;

	if (*line == '\0' || *line == '#')
		return 0;

	mark = strchr(line, '{');
	if (mark != NULL) {
		char *rest = trim(mark + 1);
		char *name, *end;

		*mark = '\0';
		/* coroparse also drops a ':' before the brace ("quorum: {") */
		name = trim(line);
		end = name + strlen(name);
		while (end > name && (blank(end[-1]) || end[-1] == ':'))
			*--end = '\0';
		if (*name == '\0')
			return fail(p, p->line, "missing section name before '{'");
		if (*rest != '\0')
			return fail(p, p->line, "unexpected '%s' after '{'", quote(q, rest));
		return open_section(p, name);
	}

	mark = strchr(line, ':');
	if (mark != NULL) {
		*mark = '\0';
		return key_value(p, trim(line), trim(mark + 1));
	}

	if (strchr(line, '}') != NULL) {
		if (strcmp(line, "}") != 0)
			return fail(p, p->line, "unexpected text around '}' in '%s'",
				    quote(q, line));
		return close_section(p);
	}
	return fail(p, p->line, "expected 'key: value', 'name {' or '}', got '%s'",
		    quote(q, line));
}

int tally_cmap_parse(struct tally_cmap *map, const char *text, size_t len, const char *origin,
		     char *err, size_t errlen)
{
	struct parser p;
	char *buf = NULL;
	size_t pos = 0;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.map = map;
	p.origin = origin != NULL ? origin : "<config>";
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (map == NULL || (text == NULL && len > 0))
		return fail(&p, 0, "no map or no text to parse");

	p.where_len = strlen(p.origin) + 24; /* ":" + a 64-bit line number + NUL */
	p.where = malloc(p.where_len);
	buf = malloc(MAX_LINE + 1);
	if (p.where == NULL || buf == NULL) {
		rc = no_memory(&p, 0);
		goto out;
	}

	while (pos < len && rc == 0) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		p.line++;
		pos += n + (nl != NULL);
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (memchr(start, '\0', n) != NULL) {
			rc = fail(&p, p.line, "NUL byte in the configuration");
			break;
		}
		if (n > MAX_LINE) {
			rc = fail(&p, p.line, "line longer than %d characters", MAX_LINE);
			break;
		}
		memcpy(buf, start, n);
		buf[n] = '\0';
		rc = parse_line(&p, buf);
	}
	if (rc == 0 && p.depth > 0) {
		const struct frame *f = &p.stack[p.depth - 1];

		rc = fail(&p, f->line, "missing closing brace for section '%s'", p.path);
	}
out:
	items_clear(&p.held);
	items_clear(&p.members);
	free(p.where);
	free(buf);
	return rc;
}
