/* table.h - reading a CSV file into a header and rows of text, with libcsv.
 *
 * For data files (measurements, op batches, traces): RFC 4180, comma
 * separated, one header row. Every row must have as many fields as the
 * header. CRLF line ends are accepted. Each row remembers the line it
 * started on, so callers can report FILE:LINE for a bad cell. */
#ifndef DCS_TABLE_H
#define DCS_TABLE_H

#include <stddef.h>

#include "engine/error.h"

typedef struct dcs_table {
    char *path;    /* as opened */
    size_t ncols;  /* header fields */
    char **header; /* ncols names */
    size_t nrows;  /* data rows */
    char ***cells; /* cells[r][c], NUL-terminated */
    int *line;     /* line[r]: the line row r starts on (header is 1) */
} dcs_table_t;

/* Reads `path`. Returns 0, or DCS_EINPUT with `err` set to one of:
 *   cannot open 'PATH': No such file or directory
 *   PATH: empty file, expected a header row
 *   PATH:LINE: expected N fields as in the header, found M
 *   PATH:LINE: malformed CSV (libcsv: <reason>)
 * On error nothing needs freeing. */
int dcs_table_read(const char *path, dcs_table_t *t, dcs_err_t *err);
void dcs_table_free(dcs_table_t *t);

/* Index of column `name`, or -1. */
int dcs_table_col(const dcs_table_t *t, const char *name);

#endif
