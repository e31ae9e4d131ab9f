/* reports.h - the run's reports: summary, jobs, utilization, energy, cost,
 * timeseries (CSV), and run.yaml.
 *
 * Everything is derived from the state the run leaves behind (the fleet's
 * and the scheduler's tallies, the jobs); nothing is sampled, so interval
 * figures are exact integrals. Columns and their units are documented in
 * results/README.md. */
#ifndef DCS_REPORTS_H
#define DCS_REPORTS_H

#include <stdio.h>

#include "cluster/sched.h"
#include "cost/budget.h"
#include "cost/capex.h"
#include "cost/cost.h"
#include "facility/facility.h"
#include "hw/fleet.h"
#include "report/outdir.h"
#include "report/schedmetrics.h"
#include "workload/job.h"
#include "workload/serving.h"
#include "workload/training.h"

/* What a finished run hands to the reports. */
typedef struct dcs_run_data {
    const char *scenario_name;
    const char *scenario_file; /* as given on the command line */
    uint64_t scenario_hash;    /* FNV-1a 64 of the resolved scenario */
    uint64_t seed;
    dcs_time_t end_ns; /* when the run ended */
    const dcs_fleet_t *fleet;
    const dcs_sched_t *sched;
    const dcs_jobs_t *jobs;
    const dcs_facility_t *facility;
    const dcs_cost_spec_t *cost;
    double network_power_w; /* fabric ports and switch chassis, constant */
    double storage_power_w; /* the storage tier, constant (0: none) */
    dcs_assets_t assets;    /* what capex and embodied carbon count */
    dcs_budget_t *budget;   /* `budgets` (NULL: none): budget.csv */
    int64_t jobs_held;      /* admissions refused (budget, cap) */
    const dcs_training_t *training; /* training jobs, or NULL */
    const dcs_serving_t *serving;   /* serving, or NULL */
    int jobs_part; /* 1: jobs beside the serving: the summary's job
                      figures are theirs, the replicas left out (they
                      have serving.csv) */
    int breakdown; /* 1: breakdown.csv of every training job's iteration */
} dcs_run_data_t;

/* The run in a few numbers (summary.csv and the printed table). */
typedef struct dcs_summary {
    dcs_time_t makespan_ns; /* end of the run */
    int64_t jobs_submitted;
    int64_t jobs_done;
    int gpus;
    double gpu_energy_j;     /* GPU boards */
    double host_energy_j;    /* everything else in the nodes */
    double network_energy_j; /* fabric ports */
    double storage_energy_j; /* storage tier */
    double it_energy_j;      /* gpu + host */
    double cooling_energy_j;
    double losses_energy_j;   /* power delivery losses */
    double facility_energy_j; /* it + cooling + losses */
    double pue;               /* facility / it energy */
    double water_l;           /* cooling make-up water */
    double energy_cost_usd;   /* facility energy at the tariff */
    double capex_cost_usd;    /* every asset class, amortized over the run */
    double other_cost_usd;    /* colocation, maintenance, staff, demand */
    double total_cost_usd;
    double carbon_operational_kg; /* facility energy x grid intensity */
    double carbon_embodied_kg;    /* assets' embodied, amortized */
    double cloud_on_demand_usd;   /* busy GPU-hours at the cloud price */
    double cloud_reserved_usd;    /* every GPU for the run, reserved price */
    double mean_util_frac;        /* busy GPU-seconds / (GPUs x makespan) */
    double mean_queue_delay_s;    /* over started jobs */
    double max_queue_delay_s;
    double mean_jct_s;         /* submit to end, over finished jobs */
    dcs_sched_metrics_t sched; /* tails, slowdown, fairness, deadlines */
} dcs_summary_t;

void dcs_summary_compute(const dcs_run_data_t *run, dcs_summary_t *sum);

/* Writes summary.csv, jobs.csv, utilization.csv, energy.csv, cost.csv and
 * timeseries.csv into `o`. Returns 0 or a DCS_E* code with `err` filled. */
int dcs_reports_write(dcs_outdir_t *o, const dcs_run_data_t *run,
                      const dcs_summary_t *sum, dcs_err_t *err);

/* Writes run.yaml: version, seed, scenario file and hash, and the resolved
 * scenario (`resolved`, YAML text) under the key `scenario`. */
int dcs_report_run_yaml(dcs_outdir_t *o, const dcs_run_data_t *run,
                        const char *resolved, dcs_err_t *err);

/* Prints the summary as an aligned table for people. */
void dcs_summary_print(FILE *out, const dcs_run_data_t *run,
                       const dcs_summary_t *sum);

/* A job's IT energy (its GPUs' board energy and their share of their
 * nodes' host power), J, and its cost: its share of capex while it held its
 * GPUs plus its energy x `pue` at `usd_per_j`. */
double dcs_report_job_energy_j(const dcs_run_data_t *run, const dcs_job_t *job);
double dcs_report_job_cost_usd(const dcs_run_data_t *run, const dcs_job_t *job,
                               double pue, double usd_per_j);
/* The price of a joule of facility energy in this run. */
double dcs_report_usd_per_j(const dcs_run_data_t *run,
                            const dcs_summary_t *sum);

/* What serving.csv says of a serving run (reports_serving.c): requests
 * served, refused (longer than a replica's KV cache) and unfinished; the
 * served requests' p50/p90/p99 of TTFT, TPOT and end-to-end latency, s;
 * SLO attainment over all requests; goodput and tokens per second over
 * the span from the first arrival to the last token; the replicas' busy
 * share of the GPU time they held; their energy and cost per token
 * (prompt and output tokens). */
typedef struct dcs_serving_summary {
    int64_t requests, served, refused, unfinished, preemptions;
    double ttft_s[3], tpot_s[3], e2e_s[3];
    double slo_attainment, goodput_req_per_s;
    double input_tokens_per_s, output_tokens_per_s;
    double gpu_busy_frac, wh_per_1k_tokens, usd_per_m_tokens;
} dcs_serving_summary_t;

void dcs_serving_summary(const dcs_run_data_t *run, const dcs_summary_t *sum,
                         dcs_serving_summary_t *out);
/* Its lines in the printed summary (dcs_summary_print). */
void dcs_serving_summary_print(FILE *out, const dcs_run_data_t *run,
                               const dcs_summary_t *sum);

/* requests.csv and serving.csv (reports_serving.c). */
int dcs_report_serving(dcs_outdir_t *o, const dcs_run_data_t *run,
                       const dcs_summary_t *sum, dcs_err_t *err);

#endif
