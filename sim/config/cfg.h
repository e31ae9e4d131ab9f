/* cfg.h - scenario files: YAML read with libyaml into a tree of nodes that
 * remember where they came from.
 *
 * A document is loaded once (dcs_cfg_load), includes resolved (`!include
 * path` on a scalar, the path relative to the including file), command-line
 * overrides applied (dcs_cfg_set, "a.b.c=value"), and then each layer reads
 * its own section through the typed accessors below. Every accessor that
 * looks a key up in a mapping records the key as known for that mapping,
 * whether the key is present or not; dcs_cfg_check_unknown() then reports the
 * first key nobody asked for, with the closest known key as a suggestion. So
 * the code that reads a section is its schema.
 *
 * Error messages have one shape:
 *   FILE:LINE:COL: field 'a.b[2].c': expected a number >= 0, found '-3'
 * LINE and COL are 1-based. Nodes made by --set report the file "--set".
 *
 * Ownership: a dcs_cfg_t owns every node and string; pointers returned by the
 * accessors (nodes, strings) stay valid until dcs_cfg_free(). */
#ifndef DCS_CFG_H
#define DCS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/error.h"

typedef struct dcs_cfg dcs_cfg_t;           /* a loaded document */
typedef struct dcs_cfg_node dcs_cfg_node_t; /* one node of it */

typedef enum dcs_cfg_kind {
    DCS_CFG_NULL,   /* `key:` with no value, or `~` / `null` */
    DCS_CFG_SCALAR, /* any scalar, kept as text */
    DCS_CFG_MAP,
    DCS_CFG_SEQ,
} dcs_cfg_kind_t;

/* Flags for the keyed accessors. */
enum {
    DCS_CFG_OPTIONAL =
        0, /* absent: *out keeps the caller's default, returns 0 */
    DCS_CFG_REQUIRED = 1, /* absent: error "missing (required)" */
};

/* Loads `path`, resolving `!include` recursively (cycles and missing files are
 * errors naming the including file:line:col). Returns NULL on error with
 * `err` filled; the error is always the user's input (DCS_EINPUT class),
 * except out of memory. The root must be a mapping. */
dcs_cfg_t *dcs_cfg_load(const char *path, dcs_err_t *err);

/* As dcs_cfg_load, from text in memory; `name` is used in messages and as the
 * base for relative include paths (its directory). */
dcs_cfg_t *dcs_cfg_load_string(const char *name, const char *text,
                               dcs_err_t *err);

/* Releases the document. dcs_cfg_free(NULL) is a no-op. */
void dcs_cfg_free(dcs_cfg_t *cfg);

/* Applies one override "a.b.c=value". The value is parsed as YAML (so
 * `x=[1, 2]` gives a sequence, `x=3` a scalar). Path parts are mapping keys,
 * or decimal indexes into sequences ("a.list.0.b"). Missing mappings along the
 * path are created, so unknown names are caught by dcs_cfg_check_unknown()
 * like any typo. Returns 0, or DCS_EINPUT with `err` filled:
 *   --set 'x': expected key=value
 *   --set 'a.b=1': 'a' is a sequence, expected an index, found 'b'
 *   --set 'a.5=1': index 5 out of range for 'a' (3 items)
 *   --set 'a.b=1': 'a' is a scalar, cannot set 'b' inside it */
int dcs_cfg_set(dcs_cfg_t *cfg, const char *assignment, dcs_err_t *err);

/* The root mapping. */
dcs_cfg_node_t *dcs_cfg_root(const dcs_cfg_t *cfg);

/* Node facts. */
dcs_cfg_kind_t dcs_cfg_kind(const dcs_cfg_node_t *node);
const char *dcs_cfg_file(const dcs_cfg_node_t *node); /* file it came from */
int dcs_cfg_line(const dcs_cfg_node_t *node);         /* 1-based */
int dcs_cfg_col(const dcs_cfg_node_t *node);          /* 1-based */
/* Dotted path from the root, with [i] for sequence items: "a.b[2].c".
 * Written into buf (truncated to size); returns buf. */
const char *dcs_cfg_path(const dcs_cfg_node_t *node, char *buf, size_t size);
/* Scalar text, or NULL when the node is not a scalar. */
const char *dcs_cfg_scalar(const dcs_cfg_node_t *node);

/* Number of entries of a mapping or items of a sequence; 0 otherwise. */
size_t dcs_cfg_len(const dcs_cfg_node_t *node);
/* The i-th item of a sequence, or the i-th value of a mapping (file order);
 * for a mapping this marks that key as known. NULL when out of range. */
dcs_cfg_node_t *dcs_cfg_at(dcs_cfg_node_t *node, size_t i);
/* The i-th key of a mapping (file order), or NULL. */
const char *dcs_cfg_key(const dcs_cfg_node_t *map, size_t i);

/* Looks `key` up in `map` and marks it known for `map`. Returns the value
 * node or NULL when absent (or when `map` is not a mapping). */
dcs_cfg_node_t *dcs_cfg_get(dcs_cfg_node_t *map, const char *key);

/* Keyed typed accessors. Each marks `key` known, and returns 0 on success
 * (or when absent and optional, leaving *out untouched), DCS_EINPUT with
 * `err` filled otherwise. Ranges are inclusive; the message states them:
 *   expected a number, found 'abc'
 *   expected a number >= 0, found '-3'
 *   expected a number in [0, 1], found '1.5'
 *   expected an integer >= 1, found '2.5'
 *   expected true or false, found 'maybe'
 *   expected a mapping, found a sequence
 *   expected one of fifo, sjf, found 'lifo'
 *   missing (required)            (reported at the enclosing mapping)
 * A number accepts anything strtod accepts in full (1e9, -2.5); an integer
 * also accepts an integral number written as a float (1e6). */
int dcs_cfg_f64(dcs_cfg_node_t *map, const char *key, unsigned flags, double lo,
                double hi, double *out, dcs_err_t *err);
int dcs_cfg_i64(dcs_cfg_node_t *map, const char *key, unsigned flags,
                int64_t lo, int64_t hi, int64_t *out, dcs_err_t *err);
int dcs_cfg_bool(dcs_cfg_node_t *map, const char *key, unsigned flags,
                 bool *out, dcs_err_t *err);
/* A scalar as text; *out borrows from the document. */
int dcs_cfg_str(dcs_cfg_node_t *map, const char *key, unsigned flags,
                const char **out, dcs_err_t *err);
/* A scalar that must be one of `names` (NULL-terminated); *out is its index. */
int dcs_cfg_enum(dcs_cfg_node_t *map, const char *key, unsigned flags,
                 const char *const *names, int *out, dcs_err_t *err);
/* A sequence of numbers in [lo, hi]; *out is malloc'd (caller frees), *n its
 * length; an empty sequence is an error ("expected a non-empty sequence").
 * Item errors name the item: field 'w.gpu_weights[1]'. */
int dcs_cfg_f64_seq(dcs_cfg_node_t *map, const char *key, unsigned flags,
                    double lo, double hi, double **out, size_t *n,
                    dcs_err_t *err);
/* Any node (for values the caller checks itself); *out is the node, or
 * untouched when absent and optional. */
int dcs_cfg_node(dcs_cfg_node_t *map, const char *key, unsigned flags,
                 dcs_cfg_node_t **out, dcs_err_t *err);
/* A mapping; *out is the node. */
int dcs_cfg_map(dcs_cfg_node_t *map, const char *key, unsigned flags,
                dcs_cfg_node_t **out, dcs_err_t *err);
/* A file path relative to the file the value came from, resolved to a path
 * usable from the current directory; *out is malloc'd (caller frees). The
 * file need not exist. */
int dcs_cfg_file_path(dcs_cfg_node_t *map, const char *key, unsigned flags,
                      char **out, dcs_err_t *err);

/* The same conversions on a node itself (for sequence items). */
int dcs_cfg_as_f64(const dcs_cfg_node_t *node, double lo, double hi,
                   double *out, dcs_err_t *err);
int dcs_cfg_as_i64(const dcs_cfg_node_t *node, int64_t lo, int64_t hi,
                   int64_t *out, dcs_err_t *err);

/* Walks the subtree under `node` and reports the first key (in file order,
 * depth first) that no accessor asked for:
 *   FILE:L:C: unknown field 'cluster.gpu_per_node'; did you mean
 * 'gpus_per_node'? or, when no known key is close (edit distance > max(2,
 * len/3)): FILE:L:C: unknown field 'x.zzz'; known fields: a, b, c A mapping
 * none of whose keys was ever asked for is reported by its first key the same
 * way (known fields: none). Returns 0 or DCS_EINPUT. */
int dcs_cfg_check_unknown(const dcs_cfg_node_t *node, dcs_err_t *err);

/* Formats a validation error at `node` in the common shape
 * "FILE:L:C: field 'PATH': <message>" and returns DCS_EINPUT. */
int dcs_cfg_error(const dcs_cfg_node_t *node, dcs_err_t *err, const char *fmt,
                  ...) __attribute__((format(printf, 3, 4)));

/* The fully resolved document (includes inlined, overrides applied) as YAML
 * text, deterministic for a given tree: block style, keys in file order,
 * scalars plain unless they were quoted or need quoting. *text is malloc'd
 * (caller frees), NUL-terminated, *len its length. */
int dcs_cfg_emit(const dcs_cfg_t *cfg, char **text, size_t *len,
                 dcs_err_t *err);

/* FNV-1a 64-bit hash of bytes, used for the scenario hash in run.yaml. */
uint64_t dcs_cfg_hash(const void *data, size_t len);

#endif
