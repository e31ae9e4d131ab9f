/* reports_serving.c - requests.csv (one row per request) and serving.csv
 * (the run's latency percentiles, throughput, SLO attainment, goodput,
 * utilization, energy and cost per token). */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/csv.h"
#include "report/reports.h"

#define NCOLS(a) (sizeof(a) / sizeof *(a))

static int served(const dcs_sreq_t *x)
{
    return x->state == DCS_SREQ_DONE && x->end_ns >= 0;
}

static const char *state_name(dcs_sreq_state_t s)
{
    static const char *const names[] = {"pending", "waiting", "prefill",
                                        "decode",  "swapped", "transfer",
                                        "done"};
    return names[s];
}

static void write_requests(FILE *f, const dcs_serving_t *sv)
{
    static const char *const cols[] = {
        "request_id",   "arrival_s",     "first_token_s", "end_s",
        "input_tokens", "output_tokens", "replica",       "last_replica",
        "preemptions",  "ttft_s",        "tpot_s",        "e2e_s",
        "slo_met",      "state",
    };
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < sv->requests->len; i++) {
        const dcs_sreq_t *x = &sv->reqs[i];
        dcs_csv_i64(&w, x->req->id);
        dcs_csv_time_s(&w, x->req->arrival_ns);
        if (x->first_ns >= 0)
            dcs_csv_time_s(&w, x->first_ns);
        else
            dcs_csv_empty(&w);
        if (served(x))
            dcs_csv_time_s(&w, x->end_ns);
        else
            dcs_csv_empty(&w);
        dcs_csv_i64(&w, x->req->input_tokens);
        dcs_csv_i64(&w, x->req->output_tokens);
        dcs_csv_i64(&w, x->first_replica);
        dcs_csv_i64(&w, x->replica);
        dcs_csv_i64(&w, x->preemptions);
        if (x->first_ns >= 0)
            dcs_csv_f64(&w, dcs_sreq_ttft_s(x));
        else
            dcs_csv_empty(&w);
        if (served(x)) {
            dcs_csv_f64(&w, dcs_sreq_tpot_s(x));
            dcs_csv_time_s(&w, x->end_ns - x->req->arrival_ns);
        } else {
            dcs_csv_empty(&w);
            dcs_csv_empty(&w);
        }
        dcs_csv_i64(&w, dcs_serving_meets_slo(sv, x));
        dcs_csv_str(&w, served(x)                   ? "done"
                        : x->state == DCS_SREQ_DONE ? "refused"
                                                    : state_name(x->state));
        dcs_csv_end_row(&w);
    }
}

static double quantile(double *x, size_t n, double q)
{
    return n ? gsl_stats_quantile_from_sorted_data(x, 1, n, q) : 0;
}

/* p50, p90, p99 of x[0..n) (sorted here) into q[3]. */
static void percentiles(double *x, size_t n, double q[3])
{
    gsl_sort(x, 1, n);
    q[0] = quantile(x, n, 0.50);
    q[1] = quantile(x, n, 0.90);
    q[2] = quantile(x, n, 0.99);
}

void dcs_serving_summary(const dcs_run_data_t *run, const dcs_summary_t *sum,
                         dcs_serving_summary_t *o)
{
    const dcs_serving_t *sv = run->serving;
    memset(o, 0, sizeof *o);
    size_t n = sv->requests->len, k = 0;
    double *ttft = malloc((n ? n : 1) * sizeof *ttft);
    double *tpot = malloc((n ? n : 1) * sizeof *tpot);
    double *e2e = malloc((n ? n : 1) * sizeof *e2e);
    DCS_ASSERT(ttft && tpot && e2e); /* out of memory writing reports */
    int64_t ok = 0;
    double in_tok = 0, out_tok = 0;
    dcs_time_t first = -1, last = 0;
    for (size_t i = 0; i < n; i++) {
        const dcs_sreq_t *x = &sv->reqs[i];
        o->preemptions += x->preemptions;
        if (x->state == DCS_SREQ_DONE && !served(x))
            o->refused++;
        if (!served(x))
            continue;
        ttft[k] = dcs_sreq_ttft_s(x);
        tpot[k] = dcs_sreq_tpot_s(x);
        e2e[k] = dcs_time_to_s(x->end_ns - x->req->arrival_ns);
        k++;
        ok += dcs_serving_meets_slo(sv, x);
        in_tok += x->req->input_tokens;
        out_tok += (double)x->generated;
        if (first < 0 || x->req->arrival_ns < first)
            first = x->req->arrival_ns;
        if (x->end_ns > last)
            last = x->end_ns;
    }
    o->requests = (int64_t)n;
    o->served = (int64_t)k;
    o->unfinished = (int64_t)n - (int64_t)k - o->refused;
    percentiles(ttft, k, o->ttft_s);
    percentiles(tpot, k, o->tpot_s);
    percentiles(e2e, k, o->e2e_s);
    free(ttft);
    free(tpot);
    free(e2e);
    /* the replicas: GPU time held and busy, energy, cost */
    double held_s = 0, busy_s = 0, energy_j = 0, cost = 0;
    double usd_per_j = dcs_report_usd_per_j(run, sum);
    for (int i = 0; i < sv->nreplicas; i++) {
        const dcs_replica_t *r = sv->replicas[i];
        const dcs_job_t *job = r->job;
        if (!r->started)
            continue;
        dcs_time_t end = r->ended_ns >= 0 ? r->ended_ns : run->end_ns;
        held_s += dcs_time_to_s(end - r->started_ns) * job->gpus;
        busy_s += dcs_time_to_s(r->busy_ns) * job->gpus;
        energy_j += dcs_report_job_energy_j(run, job);
        cost += dcs_report_job_cost_usd(run, job, sum->pue, usd_per_j);
    }
    double span = last > first ? dcs_time_to_s(last - first) : 0;
    double tokens = in_tok + out_tok;
    o->slo_attainment = n ? (double)ok / (double)n : 0;
    o->goodput_req_per_s = span > 0 ? (double)ok / span : 0;
    o->input_tokens_per_s = span > 0 ? in_tok / span : 0;
    o->output_tokens_per_s = span > 0 ? out_tok / span : 0;
    o->gpu_busy_frac = held_s > 0 ? busy_s / held_s : 0;
    /* energy and cost per token count prompt and output tokens */
    o->wh_per_1k_tokens =
        tokens > 0 ? energy_j / 3600.0 / (tokens / 1000.0) : 0;
    o->usd_per_m_tokens = tokens > 0 ? cost / (tokens / 1e6) : 0;
}

static void write_serving(FILE *f, const dcs_run_data_t *run,
                          const dcs_summary_t *sum, const dcs_serving_t *sv)
{
    static const char *const cols[] = {
        "requests",
        "served",
        "refused",
        "unfinished",
        "ttft_p50_s",
        "ttft_p90_s",
        "ttft_p99_s",
        "tpot_p50_s",
        "tpot_p90_s",
        "tpot_p99_s",
        "e2e_p50_s",
        "e2e_p90_s",
        "e2e_p99_s",
        "slo_ttft_s",
        "slo_tpot_s",
        "slo_attainment",
        "goodput_req_per_s",
        "input_tokens_per_s",
        "output_tokens_per_s",
        "preemptions",
        "replicas_start",
        "replicas_peak",
        "scale_ups",
        "scale_downs",
        "gpu_busy_frac",
        "energy_wh_per_1k_tokens",
        "cost_usd_per_m_tokens",
        "kv_transfer_gb",
    };
    dcs_serving_summary_t o;
    dcs_serving_summary(run, sum, &o);
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    dcs_csv_i64(&w, o.requests);
    dcs_csv_i64(&w, o.served);
    dcs_csv_i64(&w, o.refused);
    dcs_csv_i64(&w, o.unfinished);
    for (int q = 0; q < 3; q++)
        dcs_csv_f64(&w, o.ttft_s[q]);
    for (int q = 0; q < 3; q++)
        dcs_csv_f64(&w, o.tpot_s[q]);
    for (int q = 0; q < 3; q++)
        dcs_csv_f64(&w, o.e2e_s[q]);
    dcs_csv_f64(&w, sv->spec.slo_ttft_s);
    dcs_csv_f64(&w, sv->spec.slo_tpot_s);
    dcs_csv_f64(&w, o.slo_attainment);
    dcs_csv_f64(&w, o.goodput_req_per_s);
    dcs_csv_f64(&w, o.input_tokens_per_s);
    dcs_csv_f64(&w, o.output_tokens_per_s);
    dcs_csv_i64(&w, o.preemptions);
    dcs_csv_i64(&w, sv->spec.replicas);
    dcs_csv_i64(&w, sv->peak_replicas);
    dcs_csv_i64(&w, sv->scale_ups);
    dcs_csv_i64(&w, sv->scale_downs);
    dcs_csv_f64(&w, o.gpu_busy_frac);
    dcs_csv_f64(&w, o.wh_per_1k_tokens);
    dcs_csv_f64(&w, o.usd_per_m_tokens);
    dcs_csv_f64(&w, sv->kv_bytes_moved / 1e9);
    dcs_csv_end_row(&w);
}

void dcs_serving_summary_print(FILE *out, const dcs_run_data_t *run,
                               const dcs_summary_t *sum)
{
    const dcs_serving_t *sv = run->serving;
    dcs_serving_summary_t o;
    dcs_serving_summary(run, sum, &o);
    fprintf(out,
            "%-26s %" PRId64 " of %" PRId64 " (%" PRId64 " refused, %" PRId64
            " unfinished)\n",
            "requests served", o.served, o.requests, o.refused, o.unfinished);
    fprintf(out, "%-26s %.3f / %.3f / %.3f s\n", "TTFT p50 / p90 / p99",
            o.ttft_s[0], o.ttft_s[1], o.ttft_s[2]);
    fprintf(out, "%-26s %.1f / %.1f / %.1f ms\n", "TPOT p50 / p90 / p99",
            1e3 * o.tpot_s[0], 1e3 * o.tpot_s[1], 1e3 * o.tpot_s[2]);
    fprintf(out, "%-26s %.1f %% (TTFT <= %g s and TPOT <= %g s)\n",
            "SLO attainment", 100.0 * o.slo_attainment, sv->spec.slo_ttft_s,
            sv->spec.slo_tpot_s);
    fprintf(out, "%-26s %.0f in + %.0f out tokens/s\n", "serving throughput",
            o.input_tokens_per_s, o.output_tokens_per_s);
    fprintf(out,
            "%-26s %d at start, %d at peak (%" PRId64 " up, %" PRId64
            " down), busy %.1f %%\n",
            "replicas", sv->spec.replicas, sv->peak_replicas, sv->scale_ups,
            sv->scale_downs, 100.0 * o.gpu_busy_frac);
    fprintf(out, "%-26s %.4f Wh per 1,000, $%.4f per million\n", "per token",
            o.wh_per_1k_tokens, o.usd_per_m_tokens);
}

int dcs_report_serving(dcs_outdir_t *o, const dcs_run_data_t *run,
                       const dcs_summary_t *sum, dcs_err_t *err)
{
    FILE *f;
    if (!(f = dcs_outdir_create(o, "requests.csv", err)))
        return DCS_EIO;
    write_requests(f, run->serving);
    if (!(f = dcs_outdir_create(o, "serving.csv", err)))
        return DCS_EIO;
    write_serving(f, run, sum, run->serving);
    return 0;
}
