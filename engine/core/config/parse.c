/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * corosync.conf syntax, flattened into cmap keys the way corosync's coroparse
 * does (see cmap.h for the mapping). Every error names origin:line; no input
 * makes the parser crash or loop.
 */
#include "config/cmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16
#define MAX_LINE 4096
#define MAX_KEY 1024

/* Sections whose cmap name takes a component from a key inside them. */
enum section_kind {
	SECTION_PLAIN,
	SECTION_NODE,		/**< nodelist.node.<index> */
	SECTION_INTERFACE,	/**< totem.interface.<linknumber> */
	SECTION_LOGGER_SUBSYS,	/**< logging.logger_subsys.<subsys> */
	SECTION_UIDGID,		/**< uidgid.uid.<name> = 1, uidgid.gid.<name> = 1 */
};

struct pending {
	char *key;
	char *value;
	int line;
};

struct frame {
	char name[MAX_KEY];	/**< the full cmap prefix of this section */
	enum section_kind kind;
	int line;
	/* keys of a section whose name is only known at its closing brace */
	struct pending *held;
	size_t n_held;
};

struct parser {
	struct tally_cmap *map;
	const char *origin;
	char *err;
	size_t errlen;
	int line;
	struct frame stack[MAX_DEPTH];
	int depth;
	unsigned node_index;
};

static const char *const top_sections[] = {
	"totem", "logging", "quorum", "nodelist", "system", "resources",
	"uidgid", "qb", "engine", "nodelist",
};

static int fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (p->err == NULL || p->errlen == 0)
		return -EINVAL;
	off = snprintf(p->err, p->errlen, "%s:%d: ", p->origin, line);
	if (off >= 0 && (size_t)off < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + off, p->errlen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool word_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (isspace((unsigned char)*s) || *s == '{' || *s == '}' || *s == ':' ||
		    *s == '.' || !isprint((unsigned char)*s))
			return false;
	return true;
}

static int put(struct parser *p, int line, const char *prefix, const char *key,
	       const char *value)
{
	char full[MAX_KEY], origin[MAX_KEY];
	int rc;

	if ((size_t)snprintf(full, sizeof(full), "%s.%s", prefix, key) >= sizeof(full))
		return fail(p, line, "key '%s.%s' is too long", prefix, key);
	snprintf(origin, sizeof(origin), "%s:%d", p->origin, line);
	rc = tally_cmap_set_at(p->map, full, value, origin);
	if (rc == -EINVAL)
		return fail(p, line, "invalid key '%s'", full);
	return rc;
}

static void drop_held(struct frame *f)
{
	for (size_t i = 0; i < f->n_held; i++) {
		free(f->held[i].key);
		free(f->held[i].value);
	}
	free(f->held);
	f->held = NULL;
	f->n_held = 0;
}

static int hold(struct frame *f, const char *key, const char *value, int line)
{
	struct pending *h = realloc(f->held, (f->n_held + 1) * sizeof(*h));

	if (h == NULL)
		return -ENOMEM;
	f->held = h;
	h[f->n_held].key = strdup(key);
	h[f->n_held].value = strdup(value);
	h[f->n_held].line = line;
	if (h[f->n_held].key == NULL || h[f->n_held].value == NULL) {
		free(h[f->n_held].key);
		free(h[f->n_held].value);
		return -ENOMEM;
	}
	f->n_held++;
	return 0;
}

static const char *held_value(const struct frame *f, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < f->n_held; i++)
		if (strcmp(f->held[i].key, key) == 0)
			v = f->held[i].value;	/* the last one wins, as everywhere */
	return v;
}

static int open_section(struct parser *p, const char *name)
{
	struct frame *parent = p->depth ? &p->stack[p->depth - 1] : NULL;
	struct frame *f;
	bool known = false;

	if (!word_ok(name))
		return fail(p, p->line, "invalid section name '%s'", name);
	if (p->depth == MAX_DEPTH)
		return fail(p, p->line, "sections nested deeper than %d", MAX_DEPTH);
	if (parent != NULL && parent->kind != SECTION_PLAIN)
		return fail(p, p->line, "section '%s' cannot hold a section", parent->name);
	if (parent == NULL) {
		for (size_t i = 0; i < sizeof(top_sections) / sizeof(top_sections[0]); i++)
			known = known || strcmp(name, top_sections[i]) == 0;
		if (!known)
			return fail(p, p->line, "unknown section '%s'", name);
	}

	f = &p->stack[p->depth];
	memset(f, 0, sizeof(*f));
	f->line = p->line;
	if (parent == NULL)
		snprintf(f->name, sizeof(f->name), "%s", name);
	else if ((size_t)snprintf(f->name, sizeof(f->name), "%s.%s", parent->name, name) >=
		 sizeof(f->name))
		return fail(p, p->line, "section path too long");

	if (parent != NULL && strcmp(f->name, "nodelist.node") == 0) {
		f->kind = SECTION_NODE;
		snprintf(f->name, sizeof(f->name), "nodelist.node.%u", p->node_index++);
	} else if (strcmp(f->name, "totem.interface") == 0) {
		f->kind = SECTION_INTERFACE;
	} else if (strcmp(f->name, "logging.logger_subsys") == 0) {
		f->kind = SECTION_LOGGER_SUBSYS;
	} else if (strcmp(f->name, "uidgid") == 0) {
		f->kind = SECTION_UIDGID;
	}
	p->depth++;
	return 0;
}

/* Emit the held keys of a section whose name depends on one of them. */
static int flush_held(struct parser *p, struct frame *f)
{
	const char *id_key = f->kind == SECTION_INTERFACE ? "linknumber" : "subsys";
	const char *id = held_value(f, id_key);
	char prefix[MAX_KEY];
	int rc = 0;

	if (f->kind == SECTION_INTERFACE && id == NULL)
		id = held_value(f, "ringnumber");	/* corosync 2.x spelling */
	if (f->kind == SECTION_INTERFACE && id == NULL)
		id = "0";
	if (id == NULL)
		return fail(p, f->line, "logger_subsys section without a subsys key");
	if (!word_ok(id))
		return fail(p, f->line, "invalid %s '%s'", id_key, id);
	if ((size_t)snprintf(prefix, sizeof(prefix), "%s.%s", f->name, id) >= sizeof(prefix))
		return fail(p, f->line, "section path too long");
	for (size_t i = 0; i < f->n_held && rc == 0; i++) {
		if (strcmp(f->held[i].key, id_key) == 0 || strcmp(f->held[i].key, "ringnumber") == 0)
			continue;
		rc = put(p, f->held[i].line, prefix, f->held[i].key, f->held[i].value);
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
	if (f->kind == SECTION_INTERFACE || f->kind == SECTION_LOGGER_SUBSYS)
		rc = flush_held(p, f);
	drop_held(f);
	p->depth--;
	return rc;
}

static int key_value(struct parser *p, char *line, char *colon)
{
	struct frame *f;
	char *key, *value;

	*colon = '\0';
	key = trim(line);
	value = trim(colon + 1);
	if (p->depth == 0)
		return fail(p, p->line, "'%s' is outside any section", key);
	if (!word_ok(key))
		return fail(p, p->line, "invalid key '%s'", key);
	f = &p->stack[p->depth - 1];

	switch (f->kind) {
	case SECTION_INTERFACE:
	case SECTION_LOGGER_SUBSYS:
		return hold(f, key, value, p->line);
	case SECTION_UIDGID: {
		char sub[MAX_KEY];

		if (strcmp(key, "uid") != 0 && strcmp(key, "gid") != 0)
			return fail(p, p->line, "uidgid takes uid: and gid: keys, not '%s'", key);
		if (!word_ok(value))
			return fail(p, p->line, "invalid %s '%s'", key, value);
		snprintf(sub, sizeof(sub), "%s.%s", key, value);
		return put(p, p->line, f->name, sub, "1");
	}
	default:
		return put(p, p->line, f->name, key, value);
	}
}

static int parse_line(struct parser *p, char *raw)
{
	char *line = trim(raw);
	size_t len = strlen(line);
	char *colon;

	if (len == 0 || line[0] == '#')
		return 0;
	if (strcmp(line, "}") == 0)
		return close_section(p);
	if (line[len - 1] == '{') {
		line[len - 1] = '\0';
		return open_section(p, trim(line));
	}
	colon = strchr(line, ':');
	if (colon == NULL)
		return fail(p, p->line, "expected 'key: value', 'name {' or '}', got '%s'", line);
	if (strchr(colon, '{') != NULL || strchr(colon, '}') != NULL)
		return fail(p, p->line, "a brace cannot follow a value");
	return key_value(p, line, colon);
}

int tally_cmap_parse(struct tally_cmap *map, const char *text, size_t len, const char *origin,
		     char *err, size_t errlen)
{
	struct parser p = {
		.map = map, .origin = origin ? origin : "<config>", .err = err, .errlen = errlen,
	};
	char *buf = malloc(MAX_LINE + 1);
	size_t pos = 0;
	int rc = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (buf == NULL)
		return -ENOMEM;
	while (pos < len && rc == 0) {
		size_t n = 0;

		p.line++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0') {
				rc = fail(&p, p.line, "NUL byte in configuration");
				break;
			}
			if (n == MAX_LINE) {
				rc = fail(&p, p.line, "line longer than %d characters", MAX_LINE);
				break;
			}
			buf[n++] = text[pos++];
		}
		if (rc != 0)
			break;
		pos++;	/* the newline */
		buf[n] = '\0';
		rc = parse_line(&p, buf);
	}
	if (rc == 0 && p.depth > 0)
		rc = fail(&p, p.stack[p.depth - 1].line,
			  "missing closing brace for section '%s'", p.stack[p.depth - 1].name);
	while (p.depth > 0)
		drop_held(&p.stack[--p.depth]);
	free(buf);
	return rc;
}
