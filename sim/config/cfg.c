/* cfg.c - scenario files: libyaml events into a tree of located nodes.
 *
 * The loader pulls events from libyaml's parser and builds nodes that keep the
 * file, line and column they were written at, so every later check can say
 * where a bad value is. `!include path` splices another file's root in place
 * of the tagged scalar: the spliced nodes keep their own file for messages but
 * take their path from where they are included. Anchors and aliases are
 * resolved by deep copy, within one file. Every mapping remembers the keys the
 * accessors asked for, which is how dcs_cfg_check_unknown() tells a typo from
 * a field.
 *
 * All memory hangs off the dcs_cfg_t: every node sits on one list and all are
 * freed together, so a --set that replaces a subtree never invalidates a
 * pointer handed out before it. */
#include "config/cfg.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <yaml.h>

#define CFG_MAX_INCLUDE_DEPTH 16      /* files included inside includes */
#define CFG_MAX_NESTING       256     /* mappings/sequences inside each other */
#define CFG_MAX_COPIED        1000000 /* nodes made by expanding aliases */
#define CFG_PATH_MAX          512     /* bytes of a dotted path in messages */
#define CFG_MSG_MAX           1024    /* bytes of one message */
#define CFG_YAML_TAG_PREFIX   "tag:yaml.org,2002:"

/* One key of a mapping and its value. */
typedef struct cfg_entry {
    char *key;             /* owned */
    const char *file;      /* interned: the file the key was written in */
    int line;              /* 1-based, of the key */
    int col;               /* 1-based, of the key */
    bool used;             /* an accessor looked this key up */
    dcs_cfg_node_t *value; /* owned by the document's node list */
} cfg_entry_t;

struct dcs_cfg_node {
    dcs_cfg_kind_t kind;
    const char *file;           /* interned in the owning dcs_cfg_t */
    int line;                   /* 1-based */
    int col;                    /* 1-based */
    char *text;                 /* scalar or null: the text as written */
    bool quoted;                /* scalar not plain (quoted, block, !!str) */
    cfg_entry_t *entries;       /* mapping: keys in file order */
    size_t n_entries;           /* entries in use */
    size_t cap_entries;         /* entries allocated */
    dcs_cfg_node_t **items;     /* sequence: items in order */
    size_t n_items;             /* items in use */
    size_t cap_items;           /* items allocated */
    char **known;               /* mapping: keys accessors asked for, owned */
    size_t n_known;             /* names in `known` */
    size_t cap_known;           /* names allocated */
    dcs_cfg_node_t *parent;     /* NULL for the root or a detached node */
    size_t index;               /* entry or item index in `parent` */
    dcs_cfg_node_t *next_alloc; /* the document's list of every node */
};

struct dcs_cfg {
    dcs_cfg_node_t *root;  /* a mapping */
    dcs_cfg_node_t *nodes; /* every node ever made, newest first */
    size_t n_copied;       /* nodes made by expanding aliases */
    char **files;          /* interned file names, owned */
    size_t n_files;        /* names in `files` */
    size_t cap_files;      /* names allocated */
};

/* The files being loaded, outermost first, to catch include cycles. */
typedef struct cfg_stack {
    dev_t dev[CFG_MAX_INCLUDE_DEPTH + 1]; /* device of each open file */
    ino_t ino[CFG_MAX_INCLUDE_DEPTH + 1]; /* inode of each open file */
    int n;                                /* files on the stack */
} cfg_stack_t;

/* An anchored node of the document being parsed. */
typedef struct cfg_anchor {
    char *name;           /* owned */
    dcs_cfg_node_t *node; /* the anchored node */
} cfg_anchor_t;

/* One YAML text to parse and how to report positions in it. */
typedef struct cfg_source {
    const char *file;       /* interned name used in messages */
    const char *text;       /* the YAML text */
    size_t len;             /* bytes of text */
    int include_depth;      /* 0 for the top file or a --set value */
    int col_offset;         /* --set: bytes before the value */
    const char *assignment; /* --set: the whole assignment, else NULL */
    const char *prefix;     /* --set: path the value goes to, else NULL */
} cfg_source_t;

/* State while parsing one document. */
typedef struct cfg_parse {
    dcs_cfg_t *cfg;
    cfg_stack_t *stack; /* files being loaded */
    const cfg_source_t *src;
    yaml_parser_t parser;
    cfg_anchor_t *anchors; /* this document's anchors, latest last */
    size_t n_anchors;      /* anchors in use */
    size_t cap_anchors;    /* anchors allocated */
    dcs_err_t *err;
} cfg_parse_t;

/* A growing output buffer for the emitter. */
typedef struct cfg_buf {
    char *data; /* NUL-terminated when len > 0 */
    size_t len; /* bytes written */
    size_t cap; /* bytes allocated */
} cfg_buf_t;

static int parse_node(cfg_parse_t *p, const yaml_event_t *ev,
                      dcs_cfg_node_t *parent, size_t index, int depth,
                      dcs_cfg_node_t **out);

/* ---- memory ---------------------------------------------------------- */

/* Grows `array` of `elem`-byte items (capacity *cap) to hold `need`. Returns
 * the array, perhaps moved, or NULL when out of memory (the old one stays). */
static void *grow(void *array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return array;
    size_t n = *cap ? *cap : 4;
    while (n < need)
        n *= 2;
    void *p = realloc(array, n * elem);
    if (p)
        *cap = n;
    return p;
}

static char *dup_mem(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

static char *dup_str(const char *s)
{
    return dup_mem(s, strlen(s));
}

static int oom(dcs_err_t *err)
{
    return dcs_err_set(err, DCS_ENOMEM, "out of memory");
}

/* Returns the document's copy of `name`, adding it on first use. */
static const char *intern(dcs_cfg_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_files; i++)
        if (strcmp(cfg->files[i], name) == 0)
            return cfg->files[i];
    char **files =
        grow(cfg->files, &cfg->cap_files, cfg->n_files + 1, sizeof *cfg->files);
    if (!files)
        return NULL;
    cfg->files = files;
    char *copy = dup_str(name);
    if (!copy)
        return NULL;
    cfg->files[cfg->n_files++] = copy;
    return copy;
}

static dcs_cfg_node_t *node_new(dcs_cfg_t *cfg, dcs_cfg_kind_t kind,
                                const char *file, int line, int col)
{
    dcs_cfg_node_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    n->next_alloc = cfg->nodes;
    cfg->nodes = n;
    return n;
}

static void node_free(dcs_cfg_node_t *n)
{
    for (size_t i = 0; i < n->n_entries; i++)
        free(n->entries[i].key);
    for (size_t i = 0; i < n->n_known; i++)
        free(n->known[i]);
    free(n->entries);
    free(n->items);
    free(n->known);
    free(n->text);
    free(n);
}

/* Appends an entry (taking `key`) to `map`; the value is attached later.
 * Returns 0 or DCS_ENOMEM (then `key` is freed). */
static int entry_add(dcs_cfg_node_t *map, char *key, const char *file, int line,
                     int col)
{
    cfg_entry_t *e = grow(map->entries, &map->cap_entries, map->n_entries + 1,
                          sizeof *map->entries);
    if (!e) {
        free(key);
        return DCS_ENOMEM;
    }
    map->entries = e;
    map->entries[map->n_entries++] =
        (cfg_entry_t){.key = key, .file = file, .line = line, .col = col};
    return 0;
}

/* ---- paths and messages ---------------------------------------------- */

/* Appends `s` at logical position `pos` of buf (truncating, always
 * NUL-terminated) and returns the position after it. */
static size_t put(char *buf, size_t size, size_t pos, const char *s)
{
    size_t len = strlen(s);
    if (pos + 1 < size) {
        size_t room = size - 1 - pos;
        size_t n = len < room ? len : room;
        memcpy(buf + pos, s, n);
        buf[pos + n] = '\0';
    }
    return pos + len;
}

static size_t path_write(const dcs_cfg_node_t *node, char *buf, size_t size,
                         size_t pos)
{
    const dcs_cfg_node_t *up = node->parent;
    if (!up)
        return pos;
    pos = path_write(up, buf, size, pos);
    if (up->kind == DCS_CFG_MAP) {
        if (pos > 0)
            pos = put(buf, size, pos, ".");
        return put(buf, size, pos, up->entries[node->index].key);
    }
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", node->index);
    return put(buf, size, pos, idx);
}

/* Writes `prefix` then `rest` joined as one dotted path ("a" + "[1].b" gives
 * "a[1].b", "a" + "b" gives "a.b"). */
static void path_join(char *buf, size_t size, const char *prefix,
                      const char *rest)
{
    size_t pos = 0;
    buf[0] = '\0';
    if (prefix && *prefix) {
        pos = put(buf, size, pos, prefix);
        if (*rest && *rest != '[')
            pos = put(buf, size, pos, ".");
    }
    put(buf, size, pos, rest);
}

/* The path of `key` inside `map`, under `prefix` when the map is detached. */
static void key_path(const dcs_cfg_node_t *map, const char *prefix,
                     const char *key, char *buf, size_t size)
{
    char map_path[CFG_PATH_MAX], rel[CFG_PATH_MAX];
    dcs_cfg_path(map, map_path, sizeof map_path);
    path_join(rel, sizeof rel, map_path, key);
    path_join(buf, size, prefix, rel);
}

/* "FILE:L:C: [field 'PATH': ]MESSAGE", returning DCS_EINPUT. */
static int verror_at(dcs_err_t *err, const char *file, int line, int col,
                     const char *path, const char *fmt, va_list ap)
{
    char msg[CFG_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (path && *path)
        return dcs_err_set(err, DCS_EINPUT, "%s:%d:%d: field '%s': %s", file,
                           line, col, path, msg);
    return dcs_err_set(err, DCS_EINPUT, "%s:%d:%d: %s", file, line, col, msg);
}

static int error_at(dcs_err_t *err, const char *file, int line, int col,
                    const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int error_at(dcs_err_t *err, const char *file, int line, int col,
                    const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror_at(err, file, line, col, path, fmt, ap);
    va_end(ap);
    return rc;
}

/* What a node is, for "found ...": the scalar in quotes, or its kind. */
static const char *describe(const dcs_cfg_node_t *n, char *buf, size_t size)
{
    switch (n->kind) {
    case DCS_CFG_MAP:
        return "a mapping";
    case DCS_CFG_SEQ:
        return "a sequence";
    case DCS_CFG_NULL:
        return "nothing";
    case DCS_CFG_SCALAR:
        break;
    }
    if (strlen(n->text) > 200)
        snprintf(buf, size, "'%.200s...'", n->text);
    else
        snprintf(buf, size, "'%s'", n->text);
    return buf;
}

/* ---- file reading ----------------------------------------------------- */

/* Reads all of `f`. Returns 0, DCS_ENOMEM, or DCS_EIO with *errnum set. */
static int read_all(FILE *f, char **text, size_t *len, int *errnum)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return DCS_ENOMEM;
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return DCS_ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        errno = 0;
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        *errnum = errno ? errno : EIO;
        free(buf);
        return DCS_EIO;
    }
    *text = buf;
    *len = n;
    return 0;
}

/* `rel` resolved against the directory of `file` (unchanged when `rel` is
 * absolute or `file` has no directory). NULL when out of memory. */
static char *join_dir(const char *file, const char *rel)
{
    const char *slash = strrchr(file, '/');
    if (rel[0] == '/' || !slash)
        return dup_str(rel);
    size_t dir_len = (size_t)(slash - file) + 1;
    size_t rel_len = strlen(rel);
    char *path = malloc(dir_len + rel_len + 1);
    if (path) {
        memcpy(path, file, dir_len);
        memcpy(path + dir_len, rel, rel_len + 1);
    }
    return path;
}

/* ---- parsing --------------------------------------------------------- */

static int mark_line(const yaml_mark_t *m)
{
    return (int)m->line + 1;
}

static int mark_col(const cfg_parse_t *p, const yaml_mark_t *m)
{
    return (int)m->column + 1 + (m->line == 0 ? p->src->col_offset : 0);
}

static int loc_error(cfg_parse_t *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int loc_error(cfg_parse_t *p, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror_at(p->err, p->src->file, line, col, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

/* Reports libyaml's error: the problem at its mark, and the context. */
static int syntax_error(cfg_parse_t *p)
{
    yaml_parser_t *y = &p->parser;
    if (y->error == YAML_MEMORY_ERROR)
        return oom(p->err);
    const char *problem = y->problem ? y->problem : "unknown problem";
    int line, col;
    if (y->error == YAML_READER_ERROR) {
        /* Reader errors (bad encoding) carry a byte offset, not a mark. */
        yaml_mark_t m = {0, 0, 0};
        for (size_t i = 0; i < y->problem_offset && i < p->src->len; i++) {
            if (p->src->text[i] == '\n') {
                m.line++;
                m.column = 0;
            } else {
                m.column++;
            }
        }
        line = mark_line(&m);
        col = mark_col(p, &m);
    } else {
        line = mark_line(&y->problem_mark);
        col = mark_col(p, &y->problem_mark);
    }
    char context[256] = "";
    if (y->context)
        snprintf(context, sizeof context, " (%s)", y->context);
    if (p->src->assignment) {
        /* libyaml puts the end of input on a line of its own; for a one-line
         * value that is just past the end of the assignment. */
        if (line > 1 && !memchr(p->src->text, '\n', p->src->len))
            col = (int)strlen(p->src->assignment) + 1;
        return dcs_err_set(p->err, DCS_EINPUT,
                           "--set '%s': YAML syntax error at column %d: %s%s",
                           p->src->assignment, col, problem, context);
    }
    return loc_error(p, line, col, "YAML syntax error: %s%s", problem, context);
}

static int next_event(cfg_parse_t *p, yaml_event_t *ev)
{
    if (yaml_parser_parse(&p->parser, ev))
        return 0;
    return syntax_error(p);
}

static dcs_cfg_node_t *anchor_find(const cfg_parse_t *p, const char *name)
{
    for (size_t i = p->n_anchors; i > 0; i--)
        if (strcmp(p->anchors[i - 1].name, name) == 0)
            return p->anchors[i - 1].node;
    return NULL;
}

static int anchor_add(cfg_parse_t *p, const char *name, dcs_cfg_node_t *node)
{
    cfg_anchor_t *a =
        grow(p->anchors, &p->cap_anchors, p->n_anchors + 1, sizeof *p->anchors);
    if (!a)
        return oom(p->err);
    p->anchors = a;
    char *copy = dup_str(name);
    if (!copy)
        return oom(p->err);
    p->anchors[p->n_anchors++] = (cfg_anchor_t){.name = copy, .node = node};
    return 0;
}

static bool is_null_text(const char *s)
{
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Tags allowed on mappings and sequences: the standard ones only. */
static int check_tag(cfg_parse_t *p, const yaml_char_t *tag, int line, int col)
{
    const char *t = (const char *)tag;
    if (!t || strncmp(t, CFG_YAML_TAG_PREFIX, strlen(CFG_YAML_TAG_PREFIX)) == 0)
        return 0;
    if (strcmp(t, "!include") == 0)
        return loc_error(p, line, col, "'!include' expects a file path");
    return loc_error(p, line, col, "unknown tag '%s'", t);
}

/* Copies `src` (deeply) to hang at parent/index, for an alias at line:col. */
static int copy_node(cfg_parse_t *p, const dcs_cfg_node_t *src,
                     dcs_cfg_node_t *parent, size_t index, int line, int col,
                     dcs_cfg_node_t **out)
{
    if (++p->cfg->n_copied > CFG_MAX_COPIED)
        return loc_error(p, line, col,
                         "aliases expand the document past %d nodes",
                         CFG_MAX_COPIED);
    dcs_cfg_node_t *n =
        node_new(p->cfg, src->kind, src->file, src->line, src->col);
    if (!n)
        return oom(p->err);
    n->parent = parent;
    n->index = index;
    n->quoted = src->quoted;
    *out = n;
    if (src->text && !(n->text = dup_str(src->text)))
        return oom(p->err);
    for (size_t i = 0; i < src->n_entries; i++) {
        const cfg_entry_t *e = &src->entries[i];
        char *key = dup_str(e->key);
        if (!key || entry_add(n, key, e->file, e->line, e->col))
            return oom(p->err);
        dcs_cfg_node_t *value;
        int rc = copy_node(p, e->value, n, i, line, col, &value);
        if (rc)
            return rc;
        n->entries[i].value = value;
    }
    if (src->n_items) {
        n->items = malloc(src->n_items * sizeof *n->items);
        if (!n->items)
            return oom(p->err);
        n->cap_items = src->n_items;
        for (size_t i = 0; i < src->n_items; i++) {
            int rc = copy_node(p, src->items[i], n, i, line, col, &n->items[i]);
            if (rc)
                return rc;
            n->n_items++;
        }
    }
    return 0;
}

static int parse_alias(cfg_parse_t *p, const yaml_event_t *ev,
                       dcs_cfg_node_t *parent, size_t index,
                       dcs_cfg_node_t **out)
{
    int line = mark_line(&ev->start_mark), col = mark_col(p, &ev->start_mark);
    const char *name = (const char *)ev->data.alias.anchor;
    const dcs_cfg_node_t *src = anchor_find(p, name);
    if (!src)
        return loc_error(p, line, col, "undefined alias '*%s'", name);
    int rc = copy_node(p, src, parent, index, line, col, out);
    if (rc == 0) {
        /* The copy is written where the alias is; its insides where the
         * anchored node is. */
        (*out)->file = p->src->file;
        (*out)->line = line;
        (*out)->col = col;
    }
    return rc;
}

static int parse_document(dcs_cfg_t *cfg, cfg_stack_t *stack,
                          const cfg_source_t *src, dcs_cfg_node_t *parent,
                          size_t index, int depth, dcs_err_t *err,
                          dcs_cfg_node_t **out);

/* `!include rel` at line:col: parses that file in place of the scalar. */
static int parse_include(cfg_parse_t *p, const char *rel, int line, int col,
                         dcs_cfg_node_t *parent, size_t index, int depth,
                         dcs_cfg_node_t **out)
{
    if (!*rel)
        return loc_error(p, line, col, "include '': expected a file path");
    if (p->src->include_depth >= CFG_MAX_INCLUDE_DEPTH)
        return loc_error(p, line, col,
                         "include '%s': includes nested more than %d deep", rel,
                         CFG_MAX_INCLUDE_DEPTH);
    char *path = join_dir(p->src->file, rel);
    if (!path)
        return oom(p->err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int rc = loc_error(p, line, col, "include '%s': cannot open '%s': %s",
                           rel, path, strerror(errno));
        free(path);
        return rc;
    }
    struct stat st;
    bool have_id = fstat(fileno(f), &st) == 0;
    for (int i = 0; have_id && i < p->stack->n; i++) {
        if (p->stack->dev[i] == st.st_dev && p->stack->ino[i] == st.st_ino) {
            fclose(f);
            free(path);
            return loc_error(p, line, col, "include '%s': include cycle", rel);
        }
    }
    char *text = NULL;
    size_t len = 0;
    int errnum = 0;
    int rc = read_all(f, &text, &len, &errnum);
    fclose(f);
    if (rc) {
        if (rc == DCS_ENOMEM)
            rc = oom(p->err);
        else
            rc = loc_error(p, line, col, "include '%s': cannot read '%s': %s",
                           rel, path, strerror(errnum));
        free(path);
        return rc;
    }
    const char *file = intern(p->cfg, path);
    free(path);
    if (!file) {
        free(text);
        return oom(p->err);
    }
    if (have_id) {
        p->stack->dev[p->stack->n] = st.st_dev;
        p->stack->ino[p->stack->n] = st.st_ino;
        p->stack->n++;
    }
    cfg_source_t src = {.file = file,
                        .text = text,
                        .len = len,
                        .include_depth = p->src->include_depth + 1,
                        .prefix = p->src->prefix};
    rc = parse_document(p->cfg, p->stack, &src, parent, index, depth, p->err,
                        out);
    if (have_id)
        p->stack->n--;
    free(text);
    return rc;
}

static int parse_scalar(cfg_parse_t *p, const yaml_event_t *ev,
                        dcs_cfg_node_t *parent, size_t index, int depth,
                        dcs_cfg_node_t **out)
{
    int line = mark_line(&ev->start_mark), col = mark_col(p, &ev->start_mark);
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *value = (const char *)ev->data.scalar.value;
    bool is_str = false;
    if (tag) {
        if (strcmp(tag, "!include") == 0)
            return parse_include(p, value, line, col, parent, index, depth,
                                 out);
        if (strcmp(tag, CFG_YAML_TAG_PREFIX "str") == 0 ||
            strcmp(tag, "!") == 0)
            is_str = true;
        else if (strncmp(tag, CFG_YAML_TAG_PREFIX,
                         strlen(CFG_YAML_TAG_PREFIX)) != 0)
            return loc_error(p, line, col, "unknown tag '%s'", tag);
    }
    if (memchr(value, '\0', ev->data.scalar.length))
        return loc_error(p, line, col, "NUL character in a scalar");
    bool quoted = is_str || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    dcs_cfg_kind_t kind =
        !quoted && is_null_text(value) ? DCS_CFG_NULL : DCS_CFG_SCALAR;
    dcs_cfg_node_t *n = node_new(p->cfg, kind, p->src->file, line, col);
    if (!n)
        return oom(p->err);
    n->parent = parent;
    n->index = index;
    n->quoted = quoted;
    n->text = dup_mem(value, ev->data.scalar.length);
    if (!n->text)
        return oom(p->err);
    *out = n;
    return 0;
}

static int parse_sequence(cfg_parse_t *p, const yaml_event_t *ev,
                          dcs_cfg_node_t *parent, size_t index, int depth,
                          dcs_cfg_node_t **out)
{
    int line = mark_line(&ev->start_mark), col = mark_col(p, &ev->start_mark);
    int rc = check_tag(p, ev->data.sequence_start.tag, line, col);
    if (rc)
        return rc;
    dcs_cfg_node_t *seq =
        node_new(p->cfg, DCS_CFG_SEQ, p->src->file, line, col);
    if (!seq)
        return oom(p->err);
    seq->parent = parent;
    seq->index = index;
    *out = seq;
    for (;;) {
        yaml_event_t iev;
        if ((rc = next_event(p, &iev)))
            return rc;
        if (iev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&iev);
            return 0;
        }
        dcs_cfg_node_t **items = grow(seq->items, &seq->cap_items,
                                      seq->n_items + 1, sizeof *seq->items);
        if (!items) {
            yaml_event_delete(&iev);
            return oom(p->err);
        }
        seq->items = items;
        dcs_cfg_node_t *item = NULL;
        rc = parse_node(p, &iev, seq, seq->n_items, depth + 1, &item);
        yaml_event_delete(&iev);
        if (rc)
            return rc;
        seq->items[seq->n_items++] = item;
    }
}

/* A mapping key: a scalar (or an alias of one), returned as text. */
static int parse_key(cfg_parse_t *p, const yaml_event_t *ev, char **key)
{
    int line = mark_line(&ev->start_mark), col = mark_col(p, &ev->start_mark);
    if (ev->type == YAML_SCALAR_EVENT) {
        const char *tag = (const char *)ev->data.scalar.tag;
        if (tag && strcmp(tag, "!") != 0 &&
            strncmp(tag, CFG_YAML_TAG_PREFIX, strlen(CFG_YAML_TAG_PREFIX)) != 0)
            return loc_error(p, line, col, "unknown tag '%s' on a key", tag);
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
            return loc_error(p, line, col, "NUL character in a key");
        *key = dup_mem((const char *)ev->data.scalar.value,
                       ev->data.scalar.length);
        if (!*key)
            return oom(p->err);
        const char *anchor = (const char *)ev->data.scalar.anchor;
        if (anchor) {
            /* A detached node, so that an alias elsewhere can copy it. */
            dcs_cfg_node_t *n =
                node_new(p->cfg, DCS_CFG_SCALAR, p->src->file, line, col);
            if (!n || !(n->text = dup_str(*key)))
                return oom(p->err);
            return anchor_add(p, anchor, n);
        }
        return 0;
    }
    if (ev->type == YAML_ALIAS_EVENT) {
        const char *name = (const char *)ev->data.alias.anchor;
        const dcs_cfg_node_t *n = anchor_find(p, name);
        if (!n)
            return loc_error(p, line, col, "undefined alias '*%s'", name);
        if (n->kind == DCS_CFG_SCALAR || n->kind == DCS_CFG_NULL) {
            *key = dup_str(n->text);
            return *key ? 0 : oom(p->err);
        }
        return loc_error(p, line, col, "expected a scalar key, found %s",
                         n->kind == DCS_CFG_MAP ? "a mapping" : "a sequence");
    }
    return loc_error(p, line, col, "expected a scalar key, found %s",
                     ev->type == YAML_MAPPING_START_EVENT ? "a mapping"
                                                          : "a sequence");
}

static int parse_mapping(cfg_parse_t *p, const yaml_event_t *ev,
                         dcs_cfg_node_t *parent, size_t index, int depth,
                         dcs_cfg_node_t **out)
{
    int line = mark_line(&ev->start_mark), col = mark_col(p, &ev->start_mark);
    int rc = check_tag(p, ev->data.mapping_start.tag, line, col);
    if (rc)
        return rc;
    dcs_cfg_node_t *map =
        node_new(p->cfg, DCS_CFG_MAP, p->src->file, line, col);
    if (!map)
        return oom(p->err);
    map->parent = parent;
    map->index = index;
    *out = map;
    for (;;) {
        yaml_event_t kev;
        if ((rc = next_event(p, &kev)))
            return rc;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            return 0;
        }
        int kline = mark_line(&kev.start_mark);
        int kcol = mark_col(p, &kev.start_mark);
        char *key = NULL;
        rc = parse_key(p, &kev, &key);
        yaml_event_delete(&kev);
        if (rc) {
            free(key);
            return rc;
        }
        for (size_t i = 0; i < map->n_entries; i++) {
            if (strcmp(map->entries[i].key, key) == 0) {
                char path[CFG_PATH_MAX];
                key_path(map, p->src->prefix, key, path, sizeof path);
                free(key);
                return loc_error(p, kline, kcol,
                                 "duplicate field '%s' (first at line %d)",
                                 path, map->entries[i].line);
            }
        }
        if (entry_add(map, key, p->src->file, kline, kcol))
            return oom(p->err);
        yaml_event_t vev;
        if ((rc = next_event(p, &vev)))
            return rc;
        /* `key:` with nothing after it: point at the key, not past it. */
        bool empty = vev.type == YAML_SCALAR_EVENT &&
                     vev.data.scalar.length == 0 && !vev.data.scalar.tag &&
                     !vev.data.scalar.anchor &&
                     vev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        dcs_cfg_node_t *value = NULL;
        rc = parse_node(p, &vev, map, map->n_entries - 1, depth + 1, &value);
        yaml_event_delete(&vev);
        if (rc)
            return rc;
        if (empty) {
            value->line = kline;
            value->col = kcol;
        }
        map->entries[map->n_entries - 1].value = value;
    }
}

/* Builds the node for `ev` (and the events that follow it, for a mapping or
 * a sequence) at parent/index. The caller deletes `ev`. */
static int parse_node(cfg_parse_t *p, const yaml_event_t *ev,
                      dcs_cfg_node_t *parent, size_t index, int depth,
                      dcs_cfg_node_t **out)
{
    const char *anchor = NULL;
    int rc;
    *out = NULL;
    if (depth > CFG_MAX_NESTING)
        return loc_error(p, mark_line(&ev->start_mark),
                         mark_col(p, &ev->start_mark),
                         "nesting deeper than %d levels", CFG_MAX_NESTING);
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        rc = parse_alias(p, ev, parent, index, out);
        break;
    case YAML_SCALAR_EVENT:
        anchor = (const char *)ev->data.scalar.anchor;
        rc = parse_scalar(p, ev, parent, index, depth, out);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = (const char *)ev->data.sequence_start.anchor;
        rc = parse_sequence(p, ev, parent, index, depth, out);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = (const char *)ev->data.mapping_start.anchor;
        rc = parse_mapping(p, ev, parent, index, depth, out);
        break;
    default:
        rc = loc_error(p, mark_line(&ev->start_mark),
                       mark_col(p, &ev->start_mark), "unexpected YAML event");
        break;
    }
    if (rc == 0 && anchor)
        rc = anchor_add(p, anchor, *out);
    return rc;
}

/* The stream: nothing (a null node), or exactly one document. */
static int parse_stream(cfg_parse_t *p, dcs_cfg_node_t *parent, size_t index,
                        int depth, dcs_cfg_node_t **out)
{
    yaml_event_t ev;
    int rc = next_event(p, &ev); /* stream start */
    if (rc)
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(p, &ev)))
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        dcs_cfg_node_t *n = node_new(p->cfg, DCS_CFG_NULL, p->src->file, 1,
                                     1 + p->src->col_offset);
        if (!n || !(n->text = dup_str("")))
            return oom(p->err);
        n->parent = parent;
        n->index = index;
        *out = n;
        return 0;
    }
    yaml_event_delete(&ev); /* document start */
    if ((rc = next_event(p, &ev)))
        return rc;
    rc = parse_node(p, &ev, parent, index, depth, out);
    yaml_event_delete(&ev);
    if (rc)
        return rc;
    if ((rc = next_event(p, &ev))) /* document end */
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(p, &ev)))
        return rc;
    if (ev.type != YAML_STREAM_END_EVENT)
        rc =
            loc_error(p, mark_line(&ev.start_mark), mark_col(p, &ev.start_mark),
                      "expected one YAML document, found a second one");
    yaml_event_delete(&ev);
    return rc;
}

/* Parses one YAML text into a node hung at parent/index (or detached). */
static int parse_document(dcs_cfg_t *cfg, cfg_stack_t *stack,
                          const cfg_source_t *src, dcs_cfg_node_t *parent,
                          size_t index, int depth, dcs_err_t *err,
                          dcs_cfg_node_t **out)
{
    cfg_parse_t p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.stack = stack;
    p.src = src;
    p.err = err;
    if (!yaml_parser_initialize(&p.parser))
        return oom(err);
    yaml_parser_set_input_string(&p.parser, (const unsigned char *)src->text,
                                 src->len);
    int rc = parse_stream(&p, parent, index, depth, out);
    yaml_parser_delete(&p.parser);
    for (size_t i = 0; i < p.n_anchors; i++)
        free(p.anchors[i].name);
    free(p.anchors);
    return rc;
}

/* ---- loading --------------------------------------------------------- */

static dcs_cfg_t *load_text(const char *name, const char *text, size_t len,
                            cfg_stack_t *stack, dcs_err_t *err)
{
    dcs_cfg_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        oom(err);
        return NULL;
    }
    const char *file = intern(cfg, name);
    if (!file) {
        oom(err);
        dcs_cfg_free(cfg);
        return NULL;
    }
    cfg_source_t src = {.file = file, .text = text, .len = len};
    dcs_cfg_node_t *root = NULL;
    int rc = parse_document(cfg, stack, &src, NULL, 0, 0, err, &root);
    if (rc == 0 && root->kind != DCS_CFG_MAP)
        rc = error_at(err, file, 1, 1, NULL,
                      "expected a mapping at the top of the file");
    if (rc) {
        dcs_cfg_free(cfg);
        return NULL;
    }
    cfg->root = root;
    return cfg;
}

dcs_cfg_t *dcs_cfg_load(const char *path, dcs_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dcs_err_set(err, DCS_EINPUT, "cannot open '%s': %s", path,
                    strerror(errno));
        return NULL;
    }
    cfg_stack_t stack = {.n = 0};
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        stack.dev[0] = st.st_dev;
        stack.ino[0] = st.st_ino;
        stack.n = 1;
    }
    char *text = NULL;
    size_t len = 0;
    int errnum = 0;
    int rc = read_all(f, &text, &len, &errnum);
    fclose(f);
    if (rc == DCS_ENOMEM) {
        oom(err);
        return NULL;
    }
    if (rc) {
        dcs_err_set(err, DCS_EINPUT, "cannot read '%s': %s", path,
                    strerror(errnum));
        return NULL;
    }
    dcs_cfg_t *cfg = load_text(path, text, len, &stack, err);
    free(text);
    return cfg;
}

dcs_cfg_t *dcs_cfg_load_string(const char *name, const char *text,
                               dcs_err_t *err)
{
    cfg_stack_t stack = {.n = 0};
    return load_text(name ? name : "<string>", text, strlen(text), &stack, err);
}

void dcs_cfg_free(dcs_cfg_t *cfg)
{
    if (!cfg)
        return;
    dcs_cfg_node_t *n = cfg->nodes;
    while (n) {
        dcs_cfg_node_t *next = n->next_alloc;
        node_free(n);
        n = next;
    }
    for (size_t i = 0; i < cfg->n_files; i++)
        free(cfg->files[i]);
    free(cfg->files);
    free(cfg);
}

/* ---- overrides ------------------------------------------------------- */

/* Where a --set value goes: the entry or item replaced, or the key added. */
typedef enum cfg_set_how {
    CFG_SET_ENTRY, /* replace container->entries[index].value */
    CFG_SET_ITEM,  /* replace container->items[index] */
    CFG_SET_NEW,   /* append key `part` to container */
} cfg_set_how_t;

static bool name_is(const char *key, const char *s, size_t len)
{
    return strlen(key) == len && memcmp(key, s, len) == 0;
}

/* Parses a sequence index made of digits only; false otherwise. */
static bool parse_index(const char *s, size_t len, size_t *out)
{
    size_t v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        size_t d = (size_t)(s[i] - '0');
        if (v > (SIZE_MAX - d) / 10)
            v = SIZE_MAX; /* saturate: out of range anyway */
        else
            v = v * 10 + d;
    }
    *out = v;
    return true;
}

int dcs_cfg_set(dcs_cfg_t *cfg, const char *assignment, dcs_err_t *err)
{
    const char *a = assignment;
    const char *eq = strchr(a, '=');
    if (!eq || eq == a)
        return dcs_err_set(err, DCS_EINPUT, "--set '%s': expected key=value",
                           a);
    int key_len = (int)(eq - a);
    for (const char *s = a; s <= eq; s++) {
        if ((*s == '.' || s == eq) && (s == a || s[-1] == '.'))
            return dcs_err_set(err, DCS_EINPUT,
                               "--set '%s': empty name in '%.*s'", a, key_len,
                               a);
    }

    /* Walk the existing tree, changing nothing, to where the value goes. */
    dcs_cfg_node_t *cur = cfg->root;
    const char *part = a;
    size_t part_len = 0, index = 0;
    cfg_set_how_t how = CFG_SET_NEW;
    for (;;) {
        const char *end = part;
        while (end < eq && *end != '.')
            end++;
        part_len = (size_t)(end - part);
        bool last = end == eq;
        int before = part == a ? 0 : (int)(part - a - 1); /* 'a.b' shown */
        dcs_cfg_node_t *child = NULL;
        if (cur->kind == DCS_CFG_MAP) {
            how = CFG_SET_NEW;
            for (index = 0; index < cur->n_entries; index++) {
                if (name_is(cur->entries[index].key, part, part_len)) {
                    how = CFG_SET_ENTRY;
                    child = cur->entries[index].value;
                    break;
                }
            }
        } else if (cur->kind == DCS_CFG_SEQ) {
            if (!parse_index(part, part_len, &index))
                return dcs_err_set(err, DCS_EINPUT,
                                   "--set '%s': '%.*s' is a sequence, "
                                   "expected an index, found '%.*s'",
                                   a, before, a, (int)part_len, part);
            if (index >= cur->n_items)
                return dcs_err_set(err, DCS_EINPUT,
                                   "--set '%s': index %.*s out of range for "
                                   "'%.*s' (%zu items)",
                                   a, (int)part_len, part, before, a,
                                   cur->n_items);
            how = CFG_SET_ITEM;
            child = cur->items[index];
        } else {
            return dcs_err_set(err, DCS_EINPUT,
                               "--set '%s': '%.*s' is a scalar, cannot set "
                               "'%.*s' inside it",
                               a, before, a, (int)part_len, part);
        }
        if (last || !child || child->kind == DCS_CFG_NULL)
            break;
        cur = child;
        part = end + 1;
    }

    /* The path the value will have, for messages while parsing it. */
    char prefix[CFG_PATH_MAX], where[CFG_PATH_MAX], name[CFG_PATH_MAX];
    dcs_cfg_path(cur, where, sizeof where);
    if (how == CFG_SET_ITEM)
        snprintf(name, sizeof name, "[%zu]", index);
    else
        snprintf(name, sizeof name, "%.*s", (int)part_len, part);
    path_join(prefix, sizeof prefix, where, name);
    const char *rest = part + part_len; /* new mappings' keys: ".x.y" */
    if (rest < eq)
        snprintf(prefix + strlen(prefix), sizeof prefix - strlen(prefix),
                 "%.*s", (int)(eq - rest), rest);

    const char *set_file = intern(cfg, "--set");
    if (!set_file)
        return oom(err);
    cfg_stack_t stack = {.n = 0};
    cfg_source_t src = {.file = set_file,
                        .text = eq + 1,
                        .len = strlen(eq + 1),
                        .col_offset = (int)(eq - a) + 1,
                        .assignment = a,
                        .prefix = prefix};
    dcs_cfg_node_t *node = NULL;
    int rc = parse_document(cfg, &stack, &src, NULL, 0, 0, err, &node);
    if (rc)
        return rc;

    /* New mappings for the parts after `part`, innermost first; each is
     * located at the name that leads to it, its key at the key's name. */
    const char *stop = eq; /* end of the innermost part not yet wrapped */
    while (rest < stop) {
        const char *key = stop;
        while (key[-1] != '.')
            key--;
        const char *owner = key - 1;
        while (owner > a && owner[-1] != '.')
            owner--;
        dcs_cfg_node_t *m =
            node_new(cfg, DCS_CFG_MAP, set_file, 1, (int)(owner - a) + 1);
        char *k = dup_mem(key, (size_t)(stop - key));
        if (!m || !k) {
            free(k);
            return oom(err);
        }
        if (entry_add(m, k, set_file, 1, (int)(key - a) + 1))
            return oom(err);
        m->entries[0].value = node;
        node->parent = m;
        node->index = 0;
        node = m;
        stop = key - 1;
    }

    if (how == CFG_SET_NEW) {
        char *k = dup_mem(part, part_len);
        if (!k || entry_add(cur, k, set_file, 1, (int)(part - a) + 1))
            return oom(err);
        index = cur->n_entries - 1;
        cur->entries[index].value = node;
    } else if (how == CFG_SET_ENTRY) {
        cur->entries[index].value = node;
    } else {
        cur->items[index] = node;
    }
    node->parent = cur;
    node->index = index;
    return 0;
}

/* ---- node facts ------------------------------------------------------ */

dcs_cfg_node_t *dcs_cfg_root(const dcs_cfg_t *cfg)
{
    return cfg ? cfg->root : NULL;
}

dcs_cfg_kind_t dcs_cfg_kind(const dcs_cfg_node_t *node)
{
    return node ? node->kind : DCS_CFG_NULL;
}

const char *dcs_cfg_file(const dcs_cfg_node_t *node)
{
    return node ? node->file : "";
}

int dcs_cfg_line(const dcs_cfg_node_t *node)
{
    return node ? node->line : 0;
}

int dcs_cfg_col(const dcs_cfg_node_t *node)
{
    return node ? node->col : 0;
}

const char *dcs_cfg_path(const dcs_cfg_node_t *node, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (node)
        path_write(node, buf, size, 0);
    return buf;
}

const char *dcs_cfg_scalar(const dcs_cfg_node_t *node)
{
    return node && node->kind == DCS_CFG_SCALAR ? node->text : NULL;
}

size_t dcs_cfg_len(const dcs_cfg_node_t *node)
{
    if (!node)
        return 0;
    if (node->kind == DCS_CFG_MAP)
        return node->n_entries;
    if (node->kind == DCS_CFG_SEQ)
        return node->n_items;
    return 0;
}

/* Records `key` as asked for in `map`. Out of memory only loses the record
 * (the key may then be reported unknown), so it is not an error here. */
static void mark_known(dcs_cfg_node_t *map, const char *key)
{
    for (size_t i = 0; i < map->n_known; i++)
        if (strcmp(map->known[i], key) == 0)
            return;
    char **known =
        grow(map->known, &map->cap_known, map->n_known + 1, sizeof *map->known);
    if (!known)
        return;
    map->known = known;
    char *copy = dup_str(key);
    if (copy)
        map->known[map->n_known++] = copy;
}

dcs_cfg_node_t *dcs_cfg_at(dcs_cfg_node_t *node, size_t i)
{
    if (!node)
        return NULL;
    if (node->kind == DCS_CFG_SEQ)
        return i < node->n_items ? node->items[i] : NULL;
    if (node->kind == DCS_CFG_MAP && i < node->n_entries) {
        mark_known(node, node->entries[i].key);
        node->entries[i].used = true;
        return node->entries[i].value;
    }
    return NULL;
}

const char *dcs_cfg_key(const dcs_cfg_node_t *map, size_t i)
{
    if (!map || map->kind != DCS_CFG_MAP || i >= map->n_entries)
        return NULL;
    return map->entries[i].key;
}

dcs_cfg_node_t *dcs_cfg_get(dcs_cfg_node_t *map, const char *key)
{
    if (!map || map->kind != DCS_CFG_MAP)
        return NULL;
    mark_known(map, key);
    for (size_t i = 0; i < map->n_entries; i++) {
        if (strcmp(map->entries[i].key, key) == 0) {
            map->entries[i].used = true;
            return map->entries[i].value;
        }
    }
    return NULL;
}

int dcs_cfg_error(const dcs_cfg_node_t *node, dcs_err_t *err, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc;
    if (node) {
        char path[CFG_PATH_MAX];
        dcs_cfg_path(node, path, sizeof path);
        rc = verror_at(err, node->file, node->line, node->col, path, fmt, ap);
    } else {
        char msg[CFG_MSG_MAX];
        vsnprintf(msg, sizeof msg, fmt, ap);
        rc = dcs_err_set(err, DCS_EINPUT, "%s", msg);
    }
    va_end(ap);
    return rc;
}

/* ---- typed accessors ------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b);
static bool is_known(const dcs_cfg_node_t *map, const cfg_entry_t *e);

/* The entry of `map` closest to `key` among those no accessor asked for,
 * within the distance check_unknown uses for suggestions; NULL if none. */
static const cfg_entry_t *closest_unasked(const dcs_cfg_node_t *map,
                                          const char *key)
{
    const cfg_entry_t *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < map->n_entries; i++) {
        const cfg_entry_t *e = &map->entries[i];
        if (is_known(map, e))
            continue;
        size_t len = strlen(e->key);
        size_t limit = len / 3 > 2 ? len / 3 : 2;
        size_t d = edit_distance(e->key, key);
        if (d <= limit && d < best_d) {
            best = e;
            best_d = d;
        }
    }
    return best;
}

/* Looks `key` up for a typed accessor: *val is the value, or NULL when
 * absent and optional. */
static int lookup(dcs_cfg_node_t *map, const char *key, unsigned flags,
                  dcs_cfg_node_t **val, dcs_err_t *err)
{
    char found[256];
    *val = NULL;
    if (!map) {
        if (flags & DCS_CFG_REQUIRED)
            return dcs_err_set(err, DCS_EINPUT,
                               "field '%s': missing (required)", key);
        return 0;
    }
    if (map->kind != DCS_CFG_MAP)
        return dcs_cfg_error(map, err, "expected a mapping, found %s",
                             describe(map, found, sizeof found));
    *val = dcs_cfg_get(map, key);
    if (!*val && (flags & DCS_CFG_REQUIRED)) {
        char path[CFG_PATH_MAX];
        /* A required key is missing: most often it is misspelt. Point at the
         * closest key nobody has asked for, where it was written. */
        const cfg_entry_t *typo = closest_unasked(map, key);
        if (typo) {
            key_path(map, NULL, typo->key, path, sizeof path);
            return dcs_err_set(
                err, DCS_EINPUT,
                "%s:%d:%d: unknown field '%s'; did you mean '%s'?", typo->file,
                typo->line, typo->col, path, key);
        }
        key_path(map, NULL, key, path, sizeof path);
        return error_at(err, map->file, map->line, map->col, path,
                        "missing (required)");
    }
    return 0;
}

int dcs_cfg_node(dcs_cfg_node_t *map, const char *key, unsigned flags,
                 dcs_cfg_node_t **out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc == 0 && val)
        *out = val;
    return rc;
}

/* A number: strtod must take all of `s`; NaN and overflow are refused. */
static bool parse_f64(const char *s, double *out)
{
    if (!*s || strchr(" \t\n\v\f\r", *s))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || isnan(v) || (errno == ERANGE && isinf(v)))
        return false;
    *out = v;
    return true;
}

/* An integer: decimal digits, or a number with no fractional part that fits
 * in int64_t (1e6). */
static bool parse_i64(const char *s, int64_t *out)
{
    if (!*s || strchr(" \t\n\v\f\r", *s))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end == '\0' && errno == 0) {
        *out = (int64_t)v;
        return true;
    }
    double d;
    if (!parse_f64(s, &d) || d != floor(d) || d < -9223372036854775808.0 ||
        d >= 9223372036854775808.0)
        return false;
    *out = (int64_t)d;
    return true;
}

static void f64_expectation(char *buf, size_t size, double lo, double hi)
{
    bool has_lo = !(isinf(lo) && lo < 0), has_hi = !(isinf(hi) && hi > 0);
    if (has_lo && has_hi)
        snprintf(buf, size, "a number in [%g, %g]", lo, hi);
    else if (has_lo)
        snprintf(buf, size, "a number >= %g", lo);
    else if (has_hi)
        snprintf(buf, size, "a number <= %g", hi);
    else
        snprintf(buf, size, "a number");
}

static void i64_expectation(char *buf, size_t size, int64_t lo, int64_t hi)
{
    bool has_lo = lo != INT64_MIN, has_hi = hi != INT64_MAX;
    if (has_lo && has_hi)
        snprintf(buf, size, "an integer in [%" PRId64 ", %" PRId64 "]", lo, hi);
    else if (has_lo)
        snprintf(buf, size, "an integer >= %" PRId64, lo);
    else if (has_hi)
        snprintf(buf, size, "an integer <= %" PRId64, hi);
    else
        snprintf(buf, size, "an integer");
}

int dcs_cfg_as_f64(const dcs_cfg_node_t *node, double lo, double hi,
                   double *out, dcs_err_t *err)
{
    if (!node)
        return dcs_err_set(err, DCS_EINPUT, "missing value");
    double v = 0;
    if (node->kind != DCS_CFG_SCALAR || !parse_f64(node->text, &v) || v < lo ||
        v > hi) {
        char want[128], found[256];
        f64_expectation(want, sizeof want, lo, hi);
        return dcs_cfg_error(node, err, "expected %s, found %s", want,
                             describe(node, found, sizeof found));
    }
    *out = v;
    return 0;
}

int dcs_cfg_as_i64(const dcs_cfg_node_t *node, int64_t lo, int64_t hi,
                   int64_t *out, dcs_err_t *err)
{
    if (!node)
        return dcs_err_set(err, DCS_EINPUT, "missing value");
    int64_t v = 0;
    if (node->kind != DCS_CFG_SCALAR || !parse_i64(node->text, &v) || v < lo ||
        v > hi) {
        char want[128], found[256];
        i64_expectation(want, sizeof want, lo, hi);
        return dcs_cfg_error(node, err, "expected %s, found %s", want,
                             describe(node, found, sizeof found));
    }
    *out = v;
    return 0;
}

int dcs_cfg_f64(dcs_cfg_node_t *map, const char *key, unsigned flags, double lo,
                double hi, double *out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    return dcs_cfg_as_f64(val, lo, hi, out, err);
}

int dcs_cfg_i64(dcs_cfg_node_t *map, const char *key, unsigned flags,
                int64_t lo, int64_t hi, int64_t *out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    return dcs_cfg_as_i64(val, lo, hi, out, err);
}

int dcs_cfg_bool(dcs_cfg_node_t *map, const char *key, unsigned flags,
                 bool *out, dcs_err_t *err)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    if (val->kind == DCS_CFG_SCALAR) {
        for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
            if (strcmp(val->text, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcmp(val->text, no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
    }
    char found[256];
    return dcs_cfg_error(val, err, "expected true or false, found %s",
                         describe(val, found, sizeof found));
}

int dcs_cfg_str(dcs_cfg_node_t *map, const char *key, unsigned flags,
                const char **out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    if (val->kind != DCS_CFG_SCALAR) {
        char found[256];
        return dcs_cfg_error(val, err, "expected a string, found %s",
                             describe(val, found, sizeof found));
    }
    *out = val->text;
    return 0;
}

int dcs_cfg_enum(dcs_cfg_node_t *map, const char *key, unsigned flags,
                 const char *const *names, int *out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    if (val->kind == DCS_CFG_SCALAR) {
        for (int i = 0; names[i]; i++) {
            if (strcmp(val->text, names[i]) == 0) {
                *out = i;
                return 0;
            }
        }
    }
    char list[CFG_MSG_MAX], found[256];
    size_t pos = 0;
    list[0] = '\0';
    for (int i = 0; names[i]; i++) {
        if (i > 0)
            pos = put(list, sizeof list, pos, ", ");
        pos = put(list, sizeof list, pos, names[i]);
    }
    return dcs_cfg_error(val, err, "expected one of %s, found %s", list,
                         describe(val, found, sizeof found));
}

int dcs_cfg_f64_seq(dcs_cfg_node_t *map, const char *key, unsigned flags,
                    double lo, double hi, double **out, size_t *n,
                    dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    if (val->kind != DCS_CFG_SEQ || val->n_items == 0) {
        char found[256];
        return dcs_cfg_error(val, err,
                             "expected a non-empty sequence, "
                             "found %s",
                             val->kind == DCS_CFG_SEQ
                                 ? "an empty sequence"
                                 : describe(val, found, sizeof found));
    }
    double *v = malloc(val->n_items * sizeof *v);
    if (!v)
        return oom(err);
    for (size_t i = 0; i < val->n_items; i++) {
        rc = dcs_cfg_as_f64(val->items[i], lo, hi, &v[i], err);
        if (rc) {
            free(v);
            return rc;
        }
    }
    *out = v;
    *n = val->n_items;
    return 0;
}

int dcs_cfg_map(dcs_cfg_node_t *map, const char *key, unsigned flags,
                dcs_cfg_node_t **out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    if (val->kind != DCS_CFG_MAP) {
        char found[256];
        return dcs_cfg_error(val, err, "expected a mapping, found %s",
                             describe(val, found, sizeof found));
    }
    *out = val;
    return 0;
}

int dcs_cfg_file_path(dcs_cfg_node_t *map, const char *key, unsigned flags,
                      char **out, dcs_err_t *err)
{
    dcs_cfg_node_t *val;
    int rc = lookup(map, key, flags, &val, err);
    if (rc || !val)
        return rc;
    if (val->kind != DCS_CFG_SCALAR || !*val->text) {
        char found[256];
        return dcs_cfg_error(val, err, "expected a file path, found %s",
                             describe(val, found, sizeof found));
    }
    char *path = join_dir(val->file, val->text);
    if (!path)
        return oom(err);
    *out = path;
    return 0;
}

/* ---- unknown keys ---------------------------------------------------- */

/* Levenshtein distance between a and b (SIZE_MAX when out of memory). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0]; /* row[i-1][j-1] */
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j]; /* row[i-1][j] */
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

static bool is_known(const dcs_cfg_node_t *map, const cfg_entry_t *e)
{
    if (e->used)
        return true;
    for (size_t i = 0; i < map->n_known; i++)
        if (strcmp(map->known[i], e->key) == 0)
            return true;
    return false;
}

static int report_unknown(const dcs_cfg_node_t *map, const cfg_entry_t *e,
                          dcs_err_t *err)
{
    char path[CFG_PATH_MAX];
    key_path(map, NULL, e->key, path, sizeof path);
    size_t len = strlen(e->key);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < map->n_known; i++) {
        size_t d = edit_distance(e->key, map->known[i]);
        if (d < best_d) {
            best_d = d;
            best = map->known[i];
        }
    }
    if (best && best_d <= limit)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s:%d:%d: unknown field '%s'; did you mean '%s'?",
                           e->file, e->line, e->col, path, best);
    char list[CFG_MSG_MAX];
    size_t pos = 0;
    list[0] = '\0';
    for (size_t i = 0; i < map->n_known; i++) {
        if (i > 0)
            pos = put(list, sizeof list, pos, ", ");
        pos = put(list, sizeof list, pos, map->known[i]);
    }
    return dcs_err_set(
        err, DCS_EINPUT, "%s:%d:%d: unknown field '%s'; known fields: %s",
        e->file, e->line, e->col, path, map->n_known ? list : "none");
}

int dcs_cfg_check_unknown(const dcs_cfg_node_t *node, dcs_err_t *err)
{
    if (!node)
        return 0;
    if (node->kind == DCS_CFG_MAP) {
        for (size_t i = 0; i < node->n_entries; i++) {
            const cfg_entry_t *e = &node->entries[i];
            if (!is_known(node, e))
                return report_unknown(node, e, err);
            int rc = dcs_cfg_check_unknown(e->value, err);
            if (rc)
                return rc;
        }
    } else if (node->kind == DCS_CFG_SEQ) {
        for (size_t i = 0; i < node->n_items; i++) {
            int rc = dcs_cfg_check_unknown(node->items[i], err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- emitting -------------------------------------------------------- */

static int emit_write(void *data, unsigned char *bytes, size_t size)
{
    cfg_buf_t *b = data;
    char *p = grow(b->data, &b->cap, b->len + size + 1, 1);
    if (!p)
        return 0;
    b->data = p;
    memcpy(b->data + b->len, bytes, size);
    b->len += size;
    b->data[b->len] = '\0';
    return 1;
}

static bool emit_scalar(yaml_emitter_t *em, const char *text, bool quoted)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(
            &ev, NULL, NULL, (yaml_char_t *)text, -1, !quoted, 1,
            quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE))
        return false;
    return yaml_emitter_emit(em, &ev);
}

static bool emit_node(yaml_emitter_t *em, const dcs_cfg_node_t *n)
{
    yaml_event_t ev;
    switch (n->kind) {
    case DCS_CFG_NULL:
        return emit_scalar(em, "null", false);
    case DCS_CFG_SCALAR:
        return emit_scalar(em, n->text, n->quoted);
    case DCS_CFG_MAP:
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 YAML_BLOCK_MAPPING_STYLE) ||
            !yaml_emitter_emit(em, &ev))
            return false;
        for (size_t i = 0; i < n->n_entries; i++)
            if (!emit_scalar(em, n->entries[i].key,
                             is_null_text(n->entries[i].key)) ||
                !emit_node(em, n->entries[i].value))
                return false;
        return yaml_mapping_end_event_initialize(&ev) &&
               yaml_emitter_emit(em, &ev);
    case DCS_CFG_SEQ:
        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(em, &ev))
            return false;
        for (size_t i = 0; i < n->n_items; i++)
            if (!emit_node(em, n->items[i]))
                return false;
        return yaml_sequence_end_event_initialize(&ev) &&
               yaml_emitter_emit(em, &ev);
    }
    return false;
}

int dcs_cfg_emit(const dcs_cfg_t *cfg, char **text, size_t *len, dcs_err_t *err)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    cfg_buf_t buf = {NULL, 0, 0};
    if (!yaml_emitter_initialize(&em))
        return oom(err);
    yaml_emitter_set_output(&em, emit_write, &buf);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    yaml_emitter_set_indent(&em, 2);
    yaml_emitter_set_break(&em, YAML_LN_BREAK);
    bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
              yaml_emitter_emit(&em, &ev) &&
              yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
              yaml_emitter_emit(&em, &ev) && emit_node(&em, cfg->root) &&
              yaml_document_end_event_initialize(&ev, 1) &&
              yaml_emitter_emit(&em, &ev) &&
              yaml_stream_end_event_initialize(&ev) &&
              yaml_emitter_emit(&em, &ev) && yaml_emitter_flush(&em);
    int rc = 0;
    if (!ok) {
        if (em.error == YAML_MEMORY_ERROR || em.error == YAML_WRITER_ERROR ||
            em.error == YAML_NO_ERROR)
            rc = oom(err);
        else
            rc = dcs_err_set(err, DCS_EINVAL, "cannot emit YAML: %s",
                             em.problem ? em.problem : "unknown problem");
    }
    yaml_emitter_delete(&em);
    if (rc) {
        free(buf.data);
        return rc;
    }
    if (!buf.data && !(buf.data = calloc(1, 1)))
        return oom(err);
    *text = buf.data;
    *len = buf.len;
    return 0;
}

uint64_t dcs_cfg_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
