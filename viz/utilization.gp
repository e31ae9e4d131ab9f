# utilization.gp - utilization.png: how busy a run's GPUs were, and the
# jobs running and waiting, over time.
#
# Top panel: the `cluster` rows of utilization.csv, busy_frac as a percent
# of all GPUs (and failed_frac, when a GPU ever failed); without that
# report, busy_gpus from timeseries.csv. Bottom panel, from
# timeseries.csv: running_jobs and queue_length (jobs waiting). Each value
# is the mean over its interval [interval_start_s, interval_end_s), drawn
# as a flat step across it. A panel whose columns are missing is left out.
# Usage: gnuplot -e "dir='RESULTS_DIR'" viz/utilization.gp

NAME = "utilization"
if (!exists("viz")) viz = system("dirname '" . ARG0 . "'")
load viz . "/common.gp"

T_END = 0

# Top panel from utilization.csv: cluster rows into $CLUSTER as
# "start end busy_percent failed_percent", whitespace separated.
CSV = csv("utilization.csv")
if (present("utilization.csv")) { eval READ_HEADER } else { eval NO_HEADER }
TOP = NROWS > 0 && has("interval_start_s") && has("interval_end_s") && \
      has("group") && has("busy_frac")
HAS_FAILED = 0
if (TOP) {
    C = "interval_end_s"
    eval COLUMN_RANGE
    T_END = CMAX
    failed(dummy) = has("failed_frac") ? column("failed_frac") : 0
    set table $CLUSTER
    plot CSV using (column("interval_start_s")):(column("interval_end_s")):\
        (100 * column("busy_frac")):(100 * failed(0)) \
        with table if (strcol("group") eq "cluster")
    unset table
    TOP = |$CLUSTER| > 0
    if (TOP && has("failed_frac")) {
        set datafile separator whitespace
        set datafile nocolumnheaders
        CSV_ = CSV
        CSV = "$CLUSTER"
        C = 4
        eval COLUMN_RANGE
        CSV = CSV_
        HAS_FAILED = CMAX > 0
        set datafile separator comma
        set datafile columnheaders
    }
}

# timeseries.csv: busy_gpus for the top panel when utilization.csv had
# nothing; running_jobs and queue_length for the bottom one.
CSV = csv("timeseries.csv")
if (present("timeseries.csv")) { eval READ_HEADER } else { eval NO_HEADER }
TS_OK = NROWS > 0 && has("interval_start_s") && has("interval_end_s")
TOP_GPUS = !TOP && TS_OK && has("busy_gpus")
JOBS = ""
if (TS_OK) {
    if (has("running_jobs")) { JOBS = JOBS . " running_jobs" }
    if (has("queue_length")) { JOBS = JOBS . " queue_length" }
    C = "interval_end_s"
    eval COLUMN_RANGE
    T_END = CMAX > T_END ? CMAX : T_END
}
NJOBS = words(JOBS)
# Ranges from stats, before any plot sets a range stats would honour.
J_MAX = 0
do for [c in JOBS] {
    C = c
    eval COLUMN_RANGE
    J_MAX = CMAX > J_MAX ? CMAX : J_MAX
}
G_MAX = 1
if (TOP_GPUS) {
    C = "busy_gpus"
    eval COLUMN_RANGE
    G_MAX = CMAX > 0 ? CMAX : 1
}
if (!TOP && !TOP_GPUS && NJOBS == 0) {
    print "dcsim plot: skipped utilization.png: neither utilization.csv " . \
          "(group, busy_frac) nor timeseries.csv (busy_gpus, running_jobs, " . \
          "queue_length) has what it needs"
    exit status SKIPPED
}
TS = time_scale(T_END)
TIME_LABEL = sprintf("time since start of run (%s)", time_name(TS))
t0(dummy) = column("interval_start_s") / TS
dt(dummy) = (column("interval_end_s") - column("interval_start_s")) / TS
jobs_label(c) = c eq "running_jobs" ? "running jobs" : "queued jobs (waiting)"

set output out
set lmargin at screen 0.08
set rmargin at screen 0.95
set xrange [0:T_END / TS]
PANELS = (TOP || TOP_GPUS) + (NJOBS > 0)
if (PANELS == 2) {
    set multiplot
    set size 1, 0.55
    set origin 0, 0.45
    set bmargin 1
    set format x ""
} else {
    set xlabel TIME_LABEL
}

if (TOP) {
    set datafile separator whitespace
    set datafile nocolumnheaders
    set title sprintf("%s: GPU utilization (busy %% of all GPUs, " . \
                      "interval means)", RUN)
    set ylabel "busy GPUs (%)"
    set yrange [0:130]
    set ytics 0, 20, 100
    plot $CLUSTER using ($1 / TS):3 with steps lt 1 lw 2 title "busy", \
         $CLUSTER using ($1 / TS):3:(($2 - $1) / TS):(0) \
             with vectors nohead lt 1 lw 2 notitle, \
         for [i = 1:HAS_FAILED] $CLUSTER using ($1 / TS):4 \
             with steps lt 2 lw 2 title "failed", \
         for [i = 1:HAS_FAILED] $CLUSTER \
             using ($1 / TS):4:(($2 - $1) / TS):(0) with vectors nohead lt 2 lw 2 notitle
    set datafile separator comma
    set datafile columnheaders
}
if (TOP_GPUS) {
    set title sprintf("%s: busy GPUs (interval means)", RUN)
    set ylabel "busy GPUs"
    set yrange [0:G_MAX * 1.3]
    plot CSV using (t0(0)):(column("busy_gpus")) with steps lt 1 lw 2 \
             title "busy GPUs", \
         CSV using (t0(0)):(column("busy_gpus")):(dt(0)):(0) \
             with vectors nohead lt 1 lw 2 notitle
}

if (NJOBS > 0) {
    if (PANELS == 2) {
        set size 1, 0.45
        set origin 0, 0
        set tmargin 1
        set bmargin
        set format x "% h"
        set xlabel TIME_LABEL
        unset title
    } else {
        set title sprintf("%s: jobs running and waiting (interval means)", \
                          RUN)
    }
    set ylabel "jobs (mean over interval)"
    set yrange [0:(J_MAX > 0 ? J_MAX : 1) * 1.3]
    set ytics autofreq
    plot for [i = 1:NJOBS] CSV using (t0(0)):(column(word(JOBS, i))) \
             with steps lt i + 2 lw 2 title jobs_label(word(JOBS, i)), \
         for [i = 1:NJOBS] CSV using (t0(0)):(column(word(JOBS, i))):\
             (dt(0)):(0) with vectors nohead lt i + 2 lw 2 notitle
}
if (PANELS == 2) { unset multiplot }
unset output
