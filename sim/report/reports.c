/* reports.c - the run's CSV reports and run.yaml. */
#include "report/reports.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost/carbon.h"
#include "cost/tariff.h"
#include "report/csv.h"

#define J_PER_KWH 3.6e6
#define NCOLS(a)  (sizeof(a) / sizeof((a)[0]))

/* Energy of a job's GPUs from its start to `end` (for jobs still running). */
static double job_gpu_energy_j(const dcs_run_data_t *run, const dcs_job_t *job)
{
    /* energy_j: its runs that ended (preempted ones too) */
    if (job->state != DCS_JOB_RUNNING)
        return job->energy_j;
    double e = 0;
    for (int i = 0; i < job->gpus; i++)
        e += dcs_fleet_gpu_energy_j(run->fleet, job->gpu_ids[i], run->end_ns);
    return job->energy_j + e - job->start_energy_j;
}

/* Time it held GPUs: every run so far, the one under way up to the end. */
static dcs_time_t job_run_ns(const dcs_run_data_t *run, const dcs_job_t *job)
{
    dcs_time_t t = job->attained_ns;
    if (job->state == DCS_JOB_RUNNING)
        t += run->end_ns - job->start_ns;
    return t;
}

/* GPU-seconds it held: every run so far at that run's size (an elastic
 * job's size may change), the one under way up to the end. */
static double job_gpu_s(const dcs_run_data_t *run, const dcs_job_t *job)
{
    double held = job->attained_gpu_s;
    if (job->state == DCS_JOB_RUNNING)
        held += dcs_time_to_s(run->end_ns - job->start_ns) * job->gpus;
    return held;
}

/* The pool of the GPUs a job holds or last held (its first pool while it
 * waits again after a stop: its GPUs are gone then). */
static const dcs_fleet_pool_t *job_pool(const dcs_run_data_t *run,
                                        const dcs_job_t *job)
{
    const dcs_fleet_t *fleet = run->fleet;
    if (!job->gpu_ids)
        return &fleet->spec.pools[0];
    return dcs_fleet_pool_of(fleet, dcs_fleet_node_of(fleet, job->gpu_ids[0]));
}

/* A job's IT energy: its GPUs plus its GPUs' share of their nodes' host
 * power (on a mixed fleet, of the pool it ran on last: ASSUMPTION, a job
 * stopped and resumed on another pool is charged that pool's hosts for all
 * its runs). */
double dcs_report_job_energy_j(const dcs_run_data_t *run, const dcs_job_t *job)
{
    const dcs_fleet_spec_t *fs = &run->fleet->spec;
    double host_share_w = job_pool(run, job)->host_power_w / fs->gpus_per_node;
    return job_gpu_energy_j(run, job) + host_share_w * job_gpu_s(run, job);
}

static size_t interval_count(const dcs_run_data_t *run)
{
    dcs_time_t iv = run->fleet->interval_ns;
    return (size_t)((run->end_ns + iv - 1) / iv);
}

static void interval_bounds(const dcs_run_data_t *run, size_t i,
                            dcs_time_t *from, dcs_time_t *to)
{
    dcs_time_t iv = run->fleet->interval_ns;
    *from = (dcs_time_t)i * iv;
    *to = *from + iv < run->end_ns ? *from + iv : run->end_ns;
}

/* One interval's bounds, energy by component, and what follows from it. */
typedef struct interval {
    dcs_time_t from, to;
    double len_s;
    double gpu_j, host_j, net_j, storage_j; /* IT energy */
    double it_j;
    double cooling_j, losses_j; /* facility overheads on it */
    double facility_j;
    double water_l;    /* cooling make-up water */
    double outside_c;  /* mean outside dry bulb */
    double energy_usd; /* facility energy at the tariff */
    double carbon_kg;  /* operational */
} interval_t;

/* Hosts' energy in interval i (of `len_s`), pool by pool: idle power,
 * plus the busy share of the CPUs' extra by the GPU-seconds at work, plus
 * the supplies' loss on the boards' power (the pool's GPU energy in it). */
static double host_energy_j(const dcs_run_data_t *run, size_t i, double len_s)
{
    const dcs_fleet_t *fleet = run->fleet;
    int gpn = fleet->spec.gpus_per_node;
    double host_j = 0;
    for (int p = 0; p < fleet->npools; p++) {
        const dcs_fleet_pool_t *pool = &fleet->spec.pools[p];
        int first = pool->first_node, end = first + pool->nodes;
        double busy_s = 0, gpu_j = 0;
        if (pool->host_busy_w > pool->host_power_w)
            for (int n = first; n < end; n++)
                for (int st = 0; st < DCS_DEV_NSTATES; st++)
                    if (st != DCS_DEV_IDLE && st != DCS_DEV_FAILED)
                        busy_s += dcs_tally_bin(
                            &fleet->node_states[n * DCS_DEV_NSTATES + st], i);
        for (int n = first; n < end; n++)
            gpu_j += dcs_tally_bin(&fleet->node_gpu_power_w[n], i);
        double psu = pool->psu_efficiency > 0 ? pool->psu_efficiency : 1.0;
        host_j += pool->host_power_w * pool->nodes * len_s +
                  (pool->host_busy_w - pool->host_power_w) * busy_s / gpn +
                  gpu_j * (1.0 / psu - 1.0);
    }
    return host_j;
}

/* Interval i, the facility run at its mean IT power (hour by hour through
 * the weather and the tariff). */
static void interval_energy(const dcs_run_data_t *run, size_t i, interval_t *e)
{
    const dcs_fleet_t *fleet = run->fleet;
    interval_bounds(run, i, &e->from, &e->to);
    e->len_s = dcs_time_to_s(e->to - e->from);
    e->gpu_j = 0;
    for (int n = 0; n < fleet->spec.nodes; n++)
        e->gpu_j += dcs_tally_bin(&fleet->node_gpu_power_w[n], i);
    e->host_j = host_energy_j(run, i, e->len_s);
    e->net_j = run->network_power_w * e->len_s;
    e->storage_j = run->storage_power_w * e->len_s;
    e->it_j = e->gpu_j + e->host_j + e->net_j + e->storage_j;
    double t0 = dcs_time_to_s(e->from), t1 = dcs_time_to_s(e->to);
    double it_w = e->len_s > 0 ? e->it_j / e->len_s : 0;
    dcs_facility_energy_t fe;
    dcs_facility_energy(run->facility, t0, t1, it_w, &fe);
    e->cooling_j = fe.cooling_j;
    e->losses_j = fe.losses_j;
    e->facility_j = e->it_j + e->cooling_j + e->losses_j;
    e->water_l = fe.water_l;
    e->outside_c = fe.outside_c;
    double fac_w = e->len_s > 0 ? e->facility_j / e->len_s : 0;
    e->energy_usd = dcs_tariff_energy_usd(&run->cost->tariff, t0, t1, fac_w);
    e->carbon_kg = dcs_carbon_operational_kg(&run->cost->carbon, t0, t1, fac_w);
}

/* The other cost items per second: amortized capex by class, then
 * colocation, maintenance and staff. */
static const char *const ITEMS[] = {
    "capex_gpus",     "capex_nodes", "capex_network", "capex_storage",
    "capex_facility", "colocation",  "maintenance",   "staff",
};
enum { NITEMS = sizeof ITEMS / sizeof ITEMS[0] };

static void item_rates(const dcs_run_data_t *run, double *usd_per_s)
{
    static const dcs_asset_t cls[] = {DCS_ASSET_GPU, DCS_ASSET_NODE,
                                      DCS_ASSET_NETWORK, DCS_ASSET_STORAGE,
                                      DCS_ASSET_FACILITY};
    for (int c = 0; c < 5; c++)
        usd_per_s[c] =
            dcs_capex_usd_per_s(&run->cost->capex, &run->assets, cls[c]);
    usd_per_s[5] =
        dcs_cost_colocation_usd_per_s(run->cost, run->assets.critical_w);
    usd_per_s[6] = dcs_cost_maintenance_usd_per_s(run->cost, &run->assets);
    usd_per_s[7] = dcs_cost_staff_usd_per_s(run->cost);
}

/* Demand charges: each billing month (from time 0) on the highest
 * interval-mean facility power in it (an interval counts in every month
 * it overlaps). Calls `row` per month. One pass over the intervals. */
static double demand_charges(const dcs_run_data_t *run,
                             void (*row)(void *ctx, double from_s, double to_s,
                                         double usd),
                             void *ctx)
{
    double end_s = dcs_time_to_s(run->end_ns), total = 0;
    size_t months = (size_t)ceil(end_s / DCS_S_PER_MONTH);
    if (months == 0 || run->cost->tariff.demand_usd_per_kw_month <= 0)
        return 0;
    double *peak = calloc(months, sizeof *peak);
    DCS_ASSERT(peak != NULL); /* writing reports: nothing sane to do */
    for (size_t i = 0; i < interval_count(run); i++) {
        interval_t e;
        interval_energy(run, i, &e);
        if (e.len_s <= 0)
            continue;
        double a = dcs_time_to_s(e.from), b = dcs_time_to_s(e.to);
        size_t m0 = (size_t)(a / DCS_S_PER_MONTH);
        for (size_t m = m0; m < months && m * DCS_S_PER_MONTH < b; m++)
            peak[m] = fmax(peak[m], e.facility_j / e.len_s);
    }
    for (size_t m = 0; m < months; m++) {
        double m0 = m * DCS_S_PER_MONTH;
        double m1 = fmin(m0 + DCS_S_PER_MONTH, end_s);
        double usd =
            dcs_tariff_demand_usd(&run->cost->tariff, peak[m], m1 - m0);
        if (row && usd > 0)
            row(ctx, m0, m1, usd);
        total += usd;
    }
    free(peak);
    return total;
}

/* A job's cost: amortized capex of its GPUs and their share of the nodes
 * for the time it held them, plus its IT energy at facility level (x the
 * run's PUE) at the run's mean price. */
double dcs_report_job_cost_usd(const dcs_run_data_t *run, const dcs_job_t *job,
                               double pue, double usd_per_j)
{
    const dcs_fleet_spec_t *fs = &run->fleet->spec;
    const dcs_fleet_pool_t *pool =
        job->gpu_ids
            ? dcs_fleet_pool_of(run->fleet,
                                dcs_fleet_node_of(run->fleet, job->gpu_ids[0]))
            : NULL;
    double per_gpu_s = dcs_cost_slot_usd_per_s(
        run->cost, pool ? pool->gpu_capex_usd : -1,
        pool ? pool->node_capex_usd : -1, fs->gpus_per_node);
    return per_gpu_s * job_gpu_s(run, job) +
           dcs_report_job_energy_j(run, job) * pue * usd_per_j;
}

void dcs_summary_compute(const dcs_run_data_t *run, dcs_summary_t *sum)
{
    const dcs_fleet_t *fleet = run->fleet;
    const dcs_fleet_spec_t *fs = &fleet->spec;
    double end_s = dcs_time_to_s(run->end_ns);
    memset(sum, 0, sizeof *sum);
    sum->makespan_ns = run->end_ns;
    sum->gpus = fleet->ngpus;
    for (int n = 0; n < fs->nodes; n++)
        sum->gpu_energy_j += fleet->node_gpu_power_w[n].total;
    sum->network_energy_j = run->network_power_w * end_s;
    sum->storage_energy_j = run->storage_power_w * end_s;
    for (size_t i = 0; i < interval_count(run); i++) {
        interval_t e;
        interval_energy(run, i, &e);
        sum->host_energy_j += e.host_j;
        sum->cooling_energy_j += e.cooling_j;
        sum->losses_energy_j += e.losses_j;
        sum->water_l += e.water_l;
        sum->energy_cost_usd += e.energy_usd;
        sum->carbon_operational_kg += e.carbon_kg;
    }
    sum->it_energy_j = sum->gpu_energy_j + sum->host_energy_j +
                       sum->network_energy_j + sum->storage_energy_j;
    sum->facility_energy_j =
        sum->it_energy_j + sum->cooling_energy_j + sum->losses_energy_j;
    sum->pue = sum->it_energy_j > 0 ? sum->facility_energy_j / sum->it_energy_j
                                    : dcs_facility_pue(run->facility);
    double rate[NITEMS];
    item_rates(run, rate);
    for (int c = 0; c < NITEMS; c++)
        *(c < 5 ? &sum->capex_cost_usd : &sum->other_cost_usd) +=
            rate[c] * end_s;
    sum->other_cost_usd += demand_charges(run, NULL, NULL);
    sum->total_cost_usd =
        sum->energy_cost_usd + sum->capex_cost_usd + sum->other_cost_usd;
    sum->carbon_embodied_kg =
        dcs_carbon_embodied_total_kg_per_s(&run->cost->carbon,
                                           &run->cost->capex, &run->assets) *
        end_s;
    sum->cloud_on_demand_usd = dcs_cost_cloud_usd(
        run->cost, run->sched->busy_gpus_tally.total, DCS_CLOUD_ON_DEMAND);
    sum->cloud_reserved_usd =
        dcs_cost_cloud_usd(run->cost, fleet->ngpus * end_s, DCS_CLOUD_RESERVED);
    if (end_s > 0)
        sum->mean_util_frac =
            run->sched->busy_gpus_tally.total / (fleet->ngpus * end_s);

    int64_t started = 0;
    double delay_sum = 0, jct_sum = 0;
    const dcs_job_t **list =
        malloc((run->jobs->len ? run->jobs->len : 1) * sizeof *list);
    DCS_ASSERT(list != NULL); /* out of memory writing reports */
    size_t n = 0;
    for (size_t i = 0; i < run->jobs->len; i++)
        if (!(run->jobs_part && dcs_serving_is_replica(run->jobs->items[i])))
            list[n++] = run->jobs->items[i];
    for (size_t i = 0; i < n; i++) {
        const dcs_job_t *job = list[i];
        if (job->state == DCS_JOB_PENDING)
            continue;
        sum->jobs_submitted++;
        if (job->first_start_ns >= 0) {
            double d = dcs_time_to_s(job->first_start_ns - job->submit_ns);
            delay_sum += d;
            if (d > sum->max_queue_delay_s)
                sum->max_queue_delay_s = d;
            started++;
        }
        if (job->state == DCS_JOB_DONE) {
            sum->jobs_done++;
            jct_sum += dcs_time_to_s(job->end_ns - job->submit_ns);
        }
    }
    sum->mean_queue_delay_s = started ? delay_sum / started : 0;
    sum->mean_jct_s = sum->jobs_done ? jct_sum / sum->jobs_done : 0;
    int rc = dcs_sched_metrics(list, n, run->end_ns, &sum->sched);
    DCS_ASSERT(rc == 0); /* out of memory writing reports */
    free(list);
}

static void hash_text(uint64_t hash, char *buf, size_t size)
{
    snprintf(buf, size, "fnv1a64:%016" PRIx64, hash);
}

static void write_summary(FILE *f, const dcs_run_data_t *run,
                          const dcs_summary_t *s)
{
    static const char *const cols[] = {
        "dcsim_version",
        "scenario",
        "scenario_hash",
        "seed",
        "makespan_s",
        "jobs_submitted",
        "jobs_done",
        "gpus",
        "gpu_energy_kwh",
        "network_energy_kwh",
        "it_energy_kwh",
        "facility_energy_kwh",
        "pue",
        "water_l",
        "wue_l_per_kwh",
        "energy_cost_usd",
        "capex_cost_usd",
        "other_cost_usd",
        "total_cost_usd",
        "carbon_operational_kg",
        "carbon_embodied_kg",
        "cloud_on_demand_usd",
        "cloud_reserved_usd",
        "mean_util_frac",
        "mean_queue_delay_s",
        "max_queue_delay_s",
        "mean_jct_s",
        "jct_p50_s",
        "jct_p95_s",
        "jct_p99_s",
        "slowdown_mean",
        "slowdown_p95",
        "queue_delay_p95_s",
        "jain_teams",
        "jain_users",
        "deadlines",
        "deadline_misses",
        "preemptions",
        "gpu_hours",
        "node_failures",
        "evictions",
        "resizes",
        "jobs_refused",
    };
    char hash[40];
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    hash_text(run->scenario_hash, hash, sizeof hash);
    dcs_csv_str(&w, DCSIM_VERSION);
    dcs_csv_str(&w, run->scenario_name);
    dcs_csv_str(&w, hash);
    dcs_csv_i64(&w, (int64_t)run->seed);
    dcs_csv_time_s(&w, s->makespan_ns);
    dcs_csv_i64(&w, s->jobs_submitted);
    dcs_csv_i64(&w, s->jobs_done);
    dcs_csv_i64(&w, s->gpus);
    dcs_csv_f64(&w, s->gpu_energy_j / J_PER_KWH);
    dcs_csv_f64(&w, s->network_energy_j / J_PER_KWH);
    dcs_csv_f64(&w, s->it_energy_j / J_PER_KWH);
    dcs_csv_f64(&w, s->facility_energy_j / J_PER_KWH);
    dcs_csv_f64(&w, s->pue);
    dcs_csv_f64(&w, s->water_l);
    dcs_csv_f64(
        &w, s->it_energy_j > 0 ? s->water_l / (s->it_energy_j / J_PER_KWH) : 0);
    dcs_csv_f64(&w, s->energy_cost_usd);
    dcs_csv_f64(&w, s->capex_cost_usd);
    dcs_csv_f64(&w, s->other_cost_usd);
    dcs_csv_f64(&w, s->total_cost_usd);
    dcs_csv_f64(&w, s->carbon_operational_kg);
    dcs_csv_f64(&w, s->carbon_embodied_kg);
    dcs_csv_f64(&w, s->cloud_on_demand_usd);
    dcs_csv_f64(&w, s->cloud_reserved_usd);
    dcs_csv_f64(&w, s->mean_util_frac);
    dcs_csv_f64(&w, s->mean_queue_delay_s);
    dcs_csv_f64(&w, s->max_queue_delay_s);
    dcs_csv_f64(&w, s->mean_jct_s);
    const dcs_sched_metrics_t *m = &s->sched;
    dcs_csv_f64(&w, m->jct_p50_s);
    dcs_csv_f64(&w, m->jct_p95_s);
    dcs_csv_f64(&w, m->jct_p99_s);
    dcs_csv_f64(&w, m->slowdown_mean);
    dcs_csv_f64(&w, m->slowdown_p95);
    dcs_csv_f64(&w, m->queue_delay_p95_s);
    dcs_csv_f64(&w, m->jain_teams);
    dcs_csv_f64(&w, m->jain_users);
    dcs_csv_i64(&w, m->deadlines);
    dcs_csv_i64(&w, m->deadline_misses);
    dcs_csv_i64(&w, m->preemptions);
    dcs_csv_f64(&w, m->gpu_hours);
    dcs_csv_i64(&w, run->sched->node_failures);
    dcs_csv_i64(&w, run->sched->evictions);
    dcs_csv_i64(&w, run->sched->resizes);
    dcs_csv_i64(&w, run->sched->refused);
    dcs_csv_end_row(&w);
}

/* The training job behind a job, or NULL. */
static const dcs_training_job_t *training_of(const dcs_job_t *job)
{
    if (!job->kind || strcmp(job->kind->name, "training") != 0)
        return NULL;
    return job->work;
}

double dcs_report_usd_per_j(const dcs_run_data_t *run, const dcs_summary_t *sum)
{
    return sum->facility_energy_j > 0
               ? sum->energy_cost_usd / sum->facility_energy_j
               : dcs_cost_energy_usd(run->cost, 1.0);
}

/* jobs.csv; a job's energy is priced at the run's PUE and mean tariff
 * (from the summary). */
static void write_jobs(FILE *f, const dcs_run_data_t *run,
                       const dcs_summary_t *sum)
{
    static const char *const cols[] = {
        "job_id",       "team",        "state",     "submit_time_s",
        "start_time_s", "end_time_s",  "gpus",      "queue_delay_s",
        "run_time_s",   "iterations",  "tokens",    "energy_kwh",
        "cost_usd",     "user",        "name",      "jct_s",
        "slowdown",     "preemptions", "gpu_hours", "deadline_s",
        "deadline_met", "evictions",   "resizes",   "pool",
    };
    double pue = sum->pue;
    double usd_per_j = dcs_report_usd_per_j(run, sum);
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < run->jobs->len; i++) {
        const dcs_job_t *job = run->jobs->items[i];
        if (job->state == DCS_JOB_PENDING)
            continue;
        dcs_csv_i64(&w, job->id);
        dcs_csv_str(&w, job->team);
        dcs_csv_str(&w, dcs_job_state_name(job->state));
        dcs_csv_time_s(&w, job->submit_ns);
        if (job->first_start_ns >= 0)
            dcs_csv_time_s(&w, job->first_start_ns);
        else
            dcs_csv_empty(&w);
        if (job->end_ns >= 0)
            dcs_csv_time_s(&w, job->end_ns);
        else
            dcs_csv_empty(&w);
        dcs_csv_i64(&w, job->gpus);
        if (job->first_start_ns >= 0)
            dcs_csv_time_s(&w, job->first_start_ns - job->submit_ns);
        else
            dcs_csv_empty(&w);
        dcs_csv_time_s(&w, job_run_ns(run, job));
        if (training_of(job))
            dcs_csv_i64(&w, training_of(job)->iterations);
        else
            dcs_csv_empty(&w); /* iterations: training jobs only */
        dcs_csv_empty(&w);     /* tokens: serving only */
        dcs_csv_f64(&w, dcs_report_job_energy_j(run, job) / J_PER_KWH);
        dcs_csv_f64(&w, dcs_report_job_cost_usd(run, job, pue, usd_per_j));
        dcs_csv_str(&w, job->user);
        dcs_csv_str(&w, job->name);
        if (job->state == DCS_JOB_DONE) {
            dcs_csv_time_s(&w, job->end_ns - job->submit_ns);
            dcs_csv_f64(&w, dcs_job_slowdown(job));
        } else {
            dcs_csv_empty(&w);
            dcs_csv_empty(&w);
        }
        dcs_csv_i64(&w, job->preemptions);
        dcs_csv_f64(&w, job_gpu_s(run, job) / 3600.0);
        if (job->deadline_ns >= 0) {
            dcs_csv_time_s(&w, job->deadline_ns);
            dcs_csv_i64(&w, job->state == DCS_JOB_DONE &&
                                job->end_ns <= job->deadline_ns);
        } else {
            dcs_csv_empty(&w);
            dcs_csv_empty(&w);
        }
        dcs_csv_i64(&w, job->evictions);
        dcs_csv_i64(&w, job->resizes);
        if (job->gpu_ids) /* running or done: the pool of its GPUs */
            dcs_csv_str(&w, job_pool(run, job)->name);
        else
            dcs_csv_empty(&w);
        dcs_csv_end_row(&w);
    }
}

static void util_row(dcs_csv_t *w, dcs_time_t from, dcs_time_t to,
                     const char *group, int devices, const double *state_s)
{
    double denom = devices * dcs_time_to_s(to - from);
    dcs_csv_time_s(w, from);
    dcs_csv_time_s(w, to);
    dcs_csv_str(w, group);
    dcs_csv_i64(w, devices);
    double busy = 0;
    for (int s = 0; s < DCS_DEV_NSTATES; s++) {
        dcs_csv_f64(w, state_s[s] / denom);
        if (s != DCS_DEV_IDLE && s != DCS_DEV_FAILED)
            busy += state_s[s];
    }
    dcs_csv_f64(w, busy / denom);
    dcs_csv_end_row(w);
}

static void write_utilization(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {
        "interval_start_s", "interval_end_s", "group",       "devices",
        "idle_frac",        "compute_frac",   "memory_frac", "comm_frac",
        "failed_frac",      "busy_frac",
    };
    const dcs_fleet_t *fleet = run->fleet;
    int nodes = fleet->spec.nodes, gpn = fleet->spec.gpus_per_node;
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < interval_count(run); i++) {
        dcs_time_t from, to;
        interval_bounds(run, i, &from, &to);
        double total[DCS_DEV_NSTATES] = {0};
        for (int n = 0; n < nodes; n++)
            for (int s = 0; s < DCS_DEV_NSTATES; s++)
                total[s] += dcs_tally_bin(
                    &fleet->node_states[n * DCS_DEV_NSTATES + s], i);
        util_row(&w, from, to, "cluster", fleet->ngpus, total);
        for (int p = 0; fleet->npools > 1 && p < fleet->npools; p++) {
            const dcs_fleet_pool_t *pool = &fleet->spec.pools[p];
            double pool_s[DCS_DEV_NSTATES] = {0};
            char group[32];
            for (int n = pool->first_node; n < pool->first_node + pool->nodes;
                 n++)
                for (int s = 0; s < DCS_DEV_NSTATES; s++)
                    pool_s[s] += dcs_tally_bin(
                        &fleet->node_states[n * DCS_DEV_NSTATES + s], i);
            snprintf(group, sizeof group, "pool:%s", pool->name);
            util_row(&w, from, to, group, pool->nodes * gpn, pool_s);
        }
        for (int n = 0; n < nodes; n++) {
            double node_s[DCS_DEV_NSTATES];
            char group[32];
            for (int s = 0; s < DCS_DEV_NSTATES; s++)
                node_s[s] = dcs_tally_bin(
                    &fleet->node_states[n * DCS_DEV_NSTATES + s], i);
            snprintf(group, sizeof group, "node%d", n);
            util_row(&w, from, to, group, gpn, node_s);
        }
    }
}

static void write_energy(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {"interval_start_s", "interval_end_s",
                                       "component", "energy_kwh"};
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < interval_count(run); i++) {
        interval_t e;
        interval_energy(run, i, &e);
        const char *names[] = {
            "gpu",    "host", "network", "cooling", "electrical_losses",
            "storage"};
        double values[] = {e.gpu_j,     e.host_j,   e.net_j,
                           e.cooling_j, e.losses_j, e.storage_j};
        size_t nc = run->storage_power_w > 0 ? 6 : 5;
        for (size_t c = 0; c < nc; c++) {
            dcs_csv_time_s(&w, e.from);
            dcs_csv_time_s(&w, e.to);
            dcs_csv_str(&w, names[c]);
            dcs_csv_f64(&w, values[c] / J_PER_KWH);
            dcs_csv_end_row(&w);
        }
    }
}

static void cost_row(dcs_csv_t *w, dcs_time_t from, dcs_time_t to,
                     const char *item, double usd)
{
    dcs_csv_time_s(w, from);
    dcs_csv_time_s(w, to);
    dcs_csv_str(w, item);
    dcs_csv_f64(w, usd);
    dcs_csv_end_row(w);
}

static void demand_row(void *ctx, double from_s, double to_s, double usd)
{
    cost_row(ctx, dcs_time_from_s(from_s), dcs_time_from_s(to_s),
             "demand_charge", usd);
}

/* Per interval: energy at the tariff, every cost item with a price (the
 * GPUs' and nodes' capex always); then demand charges per billing month. */
static void write_cost(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {"period_start_s", "period_end_s", "item",
                                       "cost_usd"};
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    double rate[NITEMS];
    item_rates(run, rate);
    for (size_t i = 0; i < interval_count(run); i++) {
        interval_t e;
        interval_energy(run, i, &e);
        for (int c = 0; c < NITEMS; c++)
            if (c < 2 || rate[c] > 0)
                cost_row(&w, e.from, e.to, ITEMS[c], rate[c] * e.len_s);
        cost_row(&w, e.from, e.to, "energy", e.energy_usd);
    }
    demand_charges(run, demand_row, &w);
}

static void write_timeseries(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {
        "interval_start_s",
        "interval_end_s",
        "it_power_w",
        "facility_power_w",
        "pue",
        "outside_temp_c",
        "cooling_power_w",
        "water_l",
        "carbon_kg",
        "queue_length",
        "running_jobs",
        "busy_gpus",
    };
    const dcs_sched_t *s = run->sched;
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < interval_count(run); i++) {
        interval_t e;
        interval_energy(run, i, &e);
        dcs_csv_time_s(&w, e.from);
        dcs_csv_time_s(&w, e.to);
        dcs_csv_f64(&w, e.it_j / e.len_s);
        dcs_csv_f64(&w, e.facility_j / e.len_s);
        dcs_csv_f64(&w, e.it_j > 0 ? e.facility_j / e.it_j
                                   : dcs_facility_pue(run->facility));
        dcs_csv_f64(&w, e.outside_c);
        dcs_csv_f64(&w, e.cooling_j / e.len_s);
        dcs_csv_f64(&w, e.water_l);
        dcs_csv_f64(&w, e.carbon_kg);
        dcs_csv_f64(&w, dcs_tally_bin(&s->queue_tally, i) / e.len_s);
        dcs_csv_f64(&w, dcs_tally_bin(&s->running_tally, i) / e.len_s);
        dcs_csv_f64(&w, dcs_tally_bin(&s->busy_gpus_tally, i) / e.len_s);
        dcs_csv_end_row(&w);
    }
}

/* budget.csv: per team and period, plan, actual, forecast and alerts. */
static int write_budget(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {
        "team",       "period_start_s", "period_end_s", "plan_usd",
        "actual_usd", "forecast_usd",   "alert",        "alert_at_s",
    };
    dcs_budget_row_t *rows = NULL;
    size_t n = 0;
    int rc = dcs_budget_rows(run->budget, run->end_ns, &rows, &n);
    if (rc < 0)
        return rc;
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < n; i++) {
        dcs_csv_str(&w, rows[i].team);
        dcs_csv_time_s(&w, rows[i].start_ns);
        dcs_csv_time_s(&w, rows[i].end_ns);
        dcs_csv_f64(&w, rows[i].plan_usd);
        dcs_csv_f64(&w, rows[i].actual_usd);
        dcs_csv_f64(&w, rows[i].forecast_usd);
        dcs_csv_str(&w, rows[i].alert);
        if (rows[i].alert_ns >= 0)
            dcs_csv_time_s(&w, rows[i].alert_ns);
        else
            dcs_csv_empty(&w);
        dcs_csv_end_row(&w);
    }
    free(rows);
    return 0;
}

static void write_training(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {
        "job_id",
        "name",
        "model",
        "gpus",
        "tp",
        "pp",
        "dp",
        "micro_batch",
        "global_batch",
        "seq",
        "iteration_s",
        "mean_iteration_s",
        "tokens_per_s",
        "mfu_frac",
        "hfu_frac",
        "compute_s",
        "exposed_comm_s",
        "bubble_s",
        "memory_gib",
        "memory_weights_gib",
        "memory_gradients_gib",
        "memory_optimizer_gib",
        "memory_activations_gib",
        "memory_temporary_gib",
        "iterations",
        "wall_time_s",
        "goodput_frac",
        "checkpoints",
        "checkpoint_bytes",
        "checkpoint_write_s",
        "checkpoint_interval_s",
        "young_daly_interval_s",
        "checkpoint_time_s",
        "failures",
        "lost_s",
        "restart_s",
        "energy_kwh",
        "gpu_power_w",
        "power_demand_w",
        "clock_factor",
        "data_stall_s",
        "checkpoint_write_mean_s",
    };
    const double gib = 1073741824.0;
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < run->jobs->len; i++) {
        const dcs_job_t *job = run->jobs->items[i];
        const dcs_training_job_t *t = training_of(job);
        if (!t)
            continue;
        const dcs_train_plan_t *p = &t->plan;
        const dcs_step_time_t *st = &t->step;
        dcs_csv_i64(&w, job->id);
        dcs_csv_str(&w, t->name);
        dcs_csv_str(&w, t->model.name);
        dcs_csv_i64(&w, t->gpus);
        dcs_csv_i64(&w, p->tp);
        dcs_csv_i64(&w, p->pp);
        dcs_csv_i64(&w, p->dp);
        dcs_csv_i64(&w, p->micro_batch);
        dcs_csv_i64(&w, p->micro_batch * p->grad_accum * p->dp);
        dcs_csv_i64(&w, p->seq);
        dcs_csv_f64(&w, st->total_s);
        if (dcs_training_started(t) && t->iterations > 0)
            dcs_csv_f64(&w, t->run.compute_s / (double)t->iterations);
        else
            dcs_csv_empty(&w);
        dcs_csv_f64(&w, dcs_training_tokens_per_s(t));
        dcs_csv_f64(&w, dcs_training_mfu(t));
        dcs_csv_f64(&w, dcs_training_hfu(t));
        dcs_csv_f64(&w, st->forward_s + st->backward_s + st->optimizer_s);
        dcs_csv_f64(&w, st->exposed_comm_s);
        dcs_csv_f64(&w, st->bubble_s);
        dcs_csv_f64(&w, t->memory.total / gib);
        dcs_csv_f64(&w, t->memory.weights / gib);
        dcs_csv_f64(&w, t->memory.gradients / gib);
        dcs_csv_f64(&w, t->memory.optimizer / gib);
        dcs_csv_f64(&w, t->memory.activations / gib);
        dcs_csv_f64(&w, t->memory.temporary / gib);
        dcs_csv_i64(&w, t->iterations);
        if (dcs_training_started(t)) {
            dcs_csv_f64(&w, t->run.wall_s);
            dcs_csv_f64(&w, t->run.wall_s > 0 ? t->run.compute_s / t->run.wall_s
                                              : 0);
            dcs_csv_i64(&w, t->run.checkpoints);
        } else {
            dcs_csv_empty(&w);
            dcs_csv_empty(&w);
            dcs_csv_empty(&w);
        }
        dcs_csv_f64(&w, t->ckpt_bytes);
        dcs_csv_f64(&w, t->ckpt_write_s);
        dcs_csv_f64(&w, t->ckpt_interval_s);
        dcs_csv_f64(&w, t->young_daly_s);
        if (dcs_training_started(t)) {
            dcs_csv_f64(&w, t->run.ckpt_s);
            dcs_csv_i64(&w, t->run.failures);
            dcs_csv_f64(&w, t->run.lost_s);
            dcs_csv_f64(&w, t->run.restart_s);
        } else {
            for (int k = 0; k < 4; k++)
                dcs_csv_empty(&w);
        }
        dcs_csv_f64(&w, dcs_report_job_energy_j(run, job) / J_PER_KWH);
        dcs_csv_f64(&w, t->power.mean_w);
        dcs_csv_f64(&w, t->power.demand_w);
        dcs_csv_f64(&w, t->power.clock_factor);
        dcs_csv_f64(&w, t->data_stall_s);
        if (dcs_training_started(t) && t->run.checkpoints > 0)
            dcs_csv_f64(&w, t->run.ckpt_s / (double)t->run.checkpoints);
        else
            dcs_csv_empty(&w);
        dcs_csv_end_row(&w);
    }
}

typedef struct breakdown_ctx {
    dcs_csv_t *w;
    const dcs_job_t *job;
    const dcs_training_job_t *t;
} breakdown_ctx_t;

static void breakdown_op(void *ctx, const char *phase, const dcs_op_t *op,
                         double count, double s)
{
    breakdown_ctx_t *b = ctx;
    /* Forward and backward ops run once per micro-batch. */
    double n = strcmp(phase, "optimizer") == 0
                   ? count
                   : count * (double)b->t->plan.grad_accum;
    dcs_csv_i64(b->w, b->job->id);
    dcs_csv_str(b->w, b->t->name);
    dcs_csv_str(b->w, phase);
    dcs_csv_str(b->w, dcs_op_kind_name(op->kind));
    dcs_csv_str(b->w, dcs_dtype_name(op->dtype));
    dcs_csv_i64(b->w, op->m);
    dcs_csv_i64(b->w, op->n);
    dcs_csv_i64(b->w, op->k);
    dcs_csv_i64(b->w, op->batch);
    dcs_csv_i64(b->w, op->heads);
    dcs_csv_i64(b->w, op->seq);
    dcs_csv_i64(b->w, op->head_dim);
    dcs_csv_f64(b->w, n);
    dcs_csv_f64(b->w, s);
    dcs_csv_f64(b->w, n * s);
    dcs_csv_end_row(b->w);
}

/* One row of an iteration-level term (communication, bubble). */
static void breakdown_term(breakdown_ctx_t *b, const char *what, double s)
{
    dcs_csv_i64(b->w, b->job->id);
    dcs_csv_str(b->w, b->t->name);
    dcs_csv_str(b->w, "iteration");
    dcs_csv_str(b->w, what);
    for (int k = 0; k < 8; k++)
        dcs_csv_empty(b->w);
    dcs_csv_f64(b->w, 1);
    dcs_csv_f64(b->w, s);
    dcs_csv_f64(b->w, s);
    dcs_csv_end_row(b->w);
}

static int write_breakdown(FILE *f, const dcs_run_data_t *run)
{
    static const char *const cols[] = {
        "job_id", "name",     "phase", "op",     "dtype",
        "m",      "n",        "k",     "batch",  "heads",
        "seq",    "head_dim", "count", "each_s", "total_s",
    };
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, NCOLS(cols));
    for (size_t i = 0; i < run->jobs->len; i++) {
        const dcs_job_t *job = run->jobs->items[i];
        const dcs_training_job_t *t = training_of(job);
        if (!t)
            continue;
        breakdown_ctx_t b = {&w, job, t};
        int rc = dcs_training_breakdown(t, t->device, breakdown_op, &b);
        if (rc < 0)
            return rc;
        const dcs_step_time_t *st = &t->step;
        if (t->plan.recompute == DCS_RECOMPUTE_FULL)
            breakdown_term(&b, "recompute_forward", st->forward_s);
        breakdown_term(&b, "tensor_parallel_comm", st->tp_comm_s);
        breakdown_term(&b, "other_exposed_comm",
                       st->exposed_comm_s - st->tp_comm_s);
        breakdown_term(&b, "pipeline_bubble", st->bubble_s);
        breakdown_term(&b, "iteration_total", st->total_s);
    }
    return 0;
}

int dcs_reports_write(dcs_outdir_t *o, const dcs_run_data_t *run,
                      const dcs_summary_t *sum, dcs_err_t *err)
{
    FILE *f;
    if (!(f = dcs_outdir_create(o, "summary.csv", err)))
        return DCS_EIO;
    write_summary(f, run, sum);
    if (!(f = dcs_outdir_create(o, "jobs.csv", err)))
        return DCS_EIO;
    write_jobs(f, run, sum);
    if (!(f = dcs_outdir_create(o, "utilization.csv", err)))
        return DCS_EIO;
    write_utilization(f, run);
    if (!(f = dcs_outdir_create(o, "energy.csv", err)))
        return DCS_EIO;
    write_energy(f, run);
    if (!(f = dcs_outdir_create(o, "cost.csv", err)))
        return DCS_EIO;
    write_cost(f, run);
    if (!(f = dcs_outdir_create(o, "timeseries.csv", err)))
        return DCS_EIO;
    write_timeseries(f, run);
    if (run->budget) {
        if (!(f = dcs_outdir_create(o, "budget.csv", err)))
            return DCS_EIO;
        if (write_budget(f, run) < 0)
            return dcs_err_set(err, DCS_ENOMEM, "budget.csv: out of memory");
    }
    if (run->serving && dcs_report_serving(o, run, sum, err) < 0)
        return DCS_EIO;
    if (run->training) {
        if (!(f = dcs_outdir_create(o, "training.csv", err)))
            return DCS_EIO;
        write_training(f, run);
    }
    if (run->breakdown) {
        if (!(f = dcs_outdir_create(o, "breakdown.csv", err)))
            return DCS_EIO;
        if (write_breakdown(f, run) < 0)
            return dcs_err_set(err, DCS_EINVAL,
                               "breakdown: a plan the device "
                               "cannot run");
    }
    return 0;
}

int dcs_report_run_yaml(dcs_outdir_t *o, const dcs_run_data_t *run,
                        const char *resolved, dcs_err_t *err)
{
    FILE *f = dcs_outdir_create(o, "run.yaml", err);
    if (!f)
        return DCS_EIO;
    char hash[40];
    hash_text(run->scenario_hash, hash, sizeof hash);
    fprintf(
        f,
        "# The record of one dcsim run: what ran, with which seed, and the\n"
        "# scenario exactly as simulated (includes inlined, --set applied).\n"
        "dcsim_version: \"%s\"\n"
        "seed: %" PRIu64 "\n"
        "scenario_file: \"%s\"\n"
        "scenario_hash: \"%s\"\n"
        "scenario:\n",
        DCSIM_VERSION, run->seed, run->scenario_file, hash);
    /* Indent the resolved document under `scenario:`. */
    const char *p = resolved;
    if (!strncmp(p, "---", 3)) {
        p = strchr(p, '\n');
        p = p ? p + 1 : "";
    }
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == 3 && !strncmp(p, "...", 3))
            break;
        fprintf(f, "  %.*s\n", (int)len, p);
        p = nl ? nl + 1 : p + len;
    }
    return 0;
}

void dcs_summary_print(FILE *out, const dcs_run_data_t *run,
                       const dcs_summary_t *s)
{
    char t[40];
    fprintf(out, "%-26s %s\n", "scenario", run->scenario_name);
    const dcs_fleet_t *fleet = run->fleet;
    fprintf(out, "%-26s %s (", "cluster", fleet->spec.name);
    for (int p = 0; p < fleet->npools; p++) /* one device: its one pool */
        fprintf(out, "%s%d nodes x %d %s", p ? " + " : "",
                fleet->spec.pools[p].nodes, fleet->spec.gpus_per_node,
                fleet->spec.pools[p].device.name);
    fprintf(out, ")\n");
    fprintf(out, "%-26s %" PRIu64 "\n", "seed", run->seed);
    fprintf(out, "%-26s %s s (%.2f h)\n", "makespan",
            dcs_format_time_s(s->makespan_ns, t, sizeof t),
            dcs_time_to_s(s->makespan_ns) / 3600.0);
    fprintf(out, "%-26s %" PRId64 " of %" PRId64 " submitted%s\n", "jobs done",
            s->jobs_done, s->jobs_submitted,
            run->jobs_part ? " (serving replicas apart: below)" : "");
    int64_t hopeless = run->sched->hopeless_refused;
    if (run->sched->refused > hopeless)
        fprintf(out,
                "%-26s %" PRId64 " (the power cap could never take them)\n",
                "jobs refused", run->sched->refused - hopeless);
    if (hopeless > 0)
        fprintf(out,
                "%-26s %" PRId64 " (expected to need over %.0f years under "
                "node failures)\n",
                "jobs refused", hopeless,
                DCS_JOB_GIVE_UP_S / (365.25 * 86400.0));
    fprintf(out, "%-26s %.1f %%\n", "mean GPU utilization",
            100.0 * s->mean_util_frac);
    fprintf(out, "%-26s %.1f s (max %.1f s)\n", "mean queueing delay",
            s->mean_queue_delay_s, s->max_queue_delay_s);
    fprintf(out, "%-26s %.1f s\n", "mean job completion time", s->mean_jct_s);
    fprintf(out, "%-26s %.1f kWh (GPUs %.1f kWh)\n", "IT energy",
            s->it_energy_j / J_PER_KWH, s->gpu_energy_j / J_PER_KWH);
    fprintf(out, "%-26s %.1f kWh\n", "facility energy",
            s->facility_energy_j / J_PER_KWH);
    fprintf(out, "%-26s %.3f\n", "PUE", s->pue);
    if (s->water_l > 0)
        fprintf(out, "%-26s %.0f L (WUE %.3f L/kWh)\n", "cooling water",
                s->water_l, s->water_l / (s->it_energy_j / J_PER_KWH));
    fprintf(out, "%-26s $%.2f (energy $%.2f, capex $%.2f, other $%.2f)\n",
            "total cost", s->total_cost_usd, s->energy_cost_usd,
            s->capex_cost_usd, s->other_cost_usd);
    if (s->carbon_operational_kg > 0 || s->carbon_embodied_kg > 0)
        fprintf(out, "%-26s %.1f t operational, %.1f t embodied\n",
                "carbon (CO2e)", s->carbon_operational_kg / 1000.0,
                s->carbon_embodied_kg / 1000.0);
    if (s->cloud_on_demand_usd > 0 || s->cloud_reserved_usd > 0)
        fprintf(out,
                "%-26s $%.2f on demand (busy GPU-hours), $%.2f reserved "
                "(every GPU, the whole run)\n",
                "same work rented", s->cloud_on_demand_usd,
                s->cloud_reserved_usd);
    if (run->jobs_held > 0)
        fprintf(out, "%-26s %" PRId64 " times (budgets, power cap)\n",
                "jobs held at admission", run->jobs_held);
    if (run->serving)
        dcs_serving_summary_print(out, run, s);
    /* Training jobs: a line each (training.csv has the rest). */
    for (size_t i = 0; run->training && i < run->jobs->len; i++) {
        const dcs_training_job_t *j = training_of(run->jobs->items[i]);
        if (!j || !dcs_training_started(j))
            continue;
        fprintf(out,
                "%-26s %.3f s/iteration, MFU %.1f %%, %.1f GiB/rank, %.2f "
                "days, %" PRId64 " failures, goodput %.1f %%\n",
                j->name, j->run.compute_s / (double)j->iterations,
                100.0 * dcs_training_mfu(j), j->memory.total / 1073741824.0,
                j->run.wall_s / 86400.0, j->run.failures,
                j->run.wall_s > 0 ? 100.0 * j->run.compute_s / j->run.wall_s
                                  : 0.0);
    }
}
