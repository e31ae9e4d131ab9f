/* request_azure.c - the Azure LLM inference trace 2023
 * (github.com/Azure/AzurePublicDataset, AzureLLMInferenceDataset2023.md).
 *
 * Header TIMESTAMP,ContextTokens,GeneratedTokens (columns by name, others
 * ignored); CRLF line ends, perhaps no newline after the last row;
 * timestamps "2023-11-16 18:17:03.9799600" (UTC assumed: only differences
 * matter), read to the exact nanosecond. ContextTokens is the prompt,
 * GeneratedTokens the output. A row is dropped, for the first reason that
 * applies, when it has the wrong field count, a bad timestamp, a token
 * count that is not a whole number in [0, 2^31 - 1] (bad), or zero
 * tokens in or out (a request with nothing to read or nothing to write
 * does not exercise the serving model). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "workload/request.h"

enum { COL_TIME, COL_IN, COL_OUT, NCOLS };

static const dcs_trace_col_t cols[NCOLS] = {
    [COL_TIME] = {"TIMESTAMP", 1},
    [COL_IN] = {"ContextTokens", 1},
    [COL_OUT] = {"GeneratedTokens", 1},
};

typedef struct reader {
    const char *path;  /* for messages */
    dcs_requests_t *r; /* where kept requests go */
    int idx[NCOLS];    /* field of each column */
    size_t ncols;      /* fields in the header row */
    int have_header;   /* the header row has been read */
} reader_t;

/* A token count: a whole decimal number in [0, INT32_MAX], spaces around
 * allowed. Returns 0, or -1 for anything else (empty, sign, fraction). */
static int token_count(const char *s, int32_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || errno || v > INT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}

/* Why the row cannot be a request, or NULL with *q filled. */
static const char *read_request(const reader_t *rd, const dcs_trace_row_t *row,
                                dcs_request_t *q)
{
    if (row->n != rd->ncols)
        return DCS_DROP_FIELDS;
    if (dcs_request_timestamp(dcs_trace_field(row, rd->idx[COL_TIME]),
                              &q->arrival_ns) != DCS_TRACE_OK)
        return DCS_DROP_TIMESTAMP;
    if (token_count(dcs_trace_field(row, rd->idx[COL_IN]), &q->input_tokens))
        return DCS_DROP_INPUT;
    if (q->input_tokens == 0)
        return DCS_DROP_NO_INPUT;
    if (token_count(dcs_trace_field(row, rd->idx[COL_OUT]), &q->output_tokens))
        return DCS_DROP_OUTPUT;
    if (q->output_tokens == 0)
        return DCS_DROP_NO_OUTPUT;
    return NULL;
}

static int on_row(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    reader_t *rd = ctx;
    if (!rd->have_header) {
        rd->have_header = 1;
        rd->ncols = row->n;
        return dcs_trace_header(rd->path, row, cols, NCOLS, 0, rd->idx, err);
    }
    rd->r->records++;
    dcs_request_t q = {.id = row->line};
    const char *why = read_request(rd, row, &q);
    if (why) {
        dcs_requests_drop(rd->r, why);
        return 0;
    }
    return dcs_requests_add(rd->r, &q);
}

int dcs_requests_read_azure(const char *path, dcs_requests_t *r, dcs_err_t *err)
{
    reader_t rd = {.path = path, .r = r};
    int rc = dcs_trace_csv_each(path, on_row, &rd, err);
    if (rc == 0 && !rd.have_header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", path);
    return rc;
}
