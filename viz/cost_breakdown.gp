# cost_breakdown.gp - cost_breakdown.png: where a run's money went.
#
# From cost.csv: cost_usd summed over the run for each distinct item
# (capex_gpus, capex_nodes, energy, and any added later), in order of first
# appearance, one bar each, with the total in the title. When the report
# has 2 to 12 periods (distinct period_start_s), one stacked bar per period
# instead, its segments the items, so that the split over time shows.
# Usage: gnuplot -e "dir='RESULTS_DIR'" viz/cost_breakdown.gp

NAME = "cost_breakdown"
if (!exists("viz")) viz = system("dirname '" . ARG0 . "'")
load viz . "/common.gp"

MAX_STACKED = 12   # more periods than this: totals only

CSV = csv("cost.csv")
eval READ_HEADER
if (NROWS == 0) {
    print "dcsim plot: skipped cost_breakdown.png: cost.csv has no rows"
    exit status SKIPPED
}
if (!has("item") || !has("cost_usd")) {
    print "dcsim plot: skipped cost_breakdown.png: cost.csv has no item " . \
          "and cost_usd"
    exit status SKIPPED
}

# Periods first (LABELS is reused for the items below).
NPERIODS = 0
if (has("period_start_s") && has("period_end_s")) {
    COL = "period_start_s"
    eval DISTINCT
    PERIODS = LABELS
    NPERIODS = NLABELS
    C = "period_end_s"
    eval COLUMN_RANGE
    TS = time_scale(CMAX)
}
COL = "item"
VAL = "cost_usd"
eval DISTINCT
ITEMS = LABELS
NITEMS = NLABELS
eval SUM_BY
TOTAL = 0
C_MAX = 0
do for [i = 1:NITEMS] {
    TOTAL = TOTAL + TOT[i]
    C_MAX = TOT[i] > C_MAX ? TOT[i] : C_MAX
}

set output out
set style fill solid 0.85 border -1
set grid noxtics
US = usd_scale(C_MAX)
set ylabel sprintf("cost (%s)", usd_unit(US))
set format y "$%g"
if (NPERIODS >= 2 && NPERIODS <= MAX_STACKED) {
    # One stacked bar per period: M[(p - 1) * NITEMS + i] is item i's cost
    # in period p; END[p] the period's end.
    array M[NPERIODS * NITEMS]
    array END[NPERIODS]
    do for [k = 1:NPERIODS * NITEMS] { M[k] = 0 }
    do for [p = 1:NPERIODS] { END[p] = 0 }
    LABELS = PERIODS
    stats CSV using (p_ = label_index(strcol("period_start_s")), \
        i_ = sum [j = 1:NITEMS] (word(ITEMS, j) eq strcol("item") ? j : 0), \
        v_ = column("cost_usd"), \
        (p_ > 0 && i_ > 0 && v_ == v_ ? \
            M[(p_ - 1) * NITEMS + i_] = M[(p_ - 1) * NITEMS + i_] + v_ : 0), \
        (p_ > 0 && column("period_end_s") > END[p_] ? \
            END[p_] = column("period_end_s") : 0), 0) nooutput
    set print $STACK
    do for [p = 1:NPERIODS] {
        ROW = sprintf("\"%.3g-%.3g\"", word(PERIODS, p) / TS, END[p] / TS)
        do for [i = 1:NITEMS] {
            ROW = ROW . sprintf(" %.10g", M[(p - 1) * NITEMS + i] / US)
        }
        print ROW
    }
    set print
    set datafile separator whitespace
    set datafile nocolumnheaders
    set title sprintf("%s: cost by period and item (%s), total %s", \
                      RUN, usd_unit(US), fmt_usd(TOTAL))
    set xlabel sprintf("period (%s since start of run)", time_name(TS))
    set style data histograms
    set style histogram rowstacked
    set boxwidth 0.6
    set yrange [0:*]
    set offsets 0, 0, graph 0.2, 0
    plot for [i = 1:NITEMS] $STACK using (column(i + 1)):xtic(1) lt i \
        title word(ITEMS, i)
} else {
    set print $BARS
    do for [i = 1:NITEMS] {
        print sprintf("%s %.10g %.10g", word(ITEMS, i), TOT[i] / US, TOT[i])
    }
    set print
    set datafile separator whitespace
    set datafile nocolumnheaders
    set title sprintf("%s: total cost by item (%s), total %s", RUN, \
                      usd_unit(US), fmt_usd(TOTAL))
    set xlabel "cost item"
    set yrange [0:(C_MAX > 0 ? C_MAX / US : 1) * 1.15]
    set xrange [-0.6:NITEMS - 0.4]
    set boxwidth 0.6
    unset key
    plot $BARS using 0:2:($0 + 1):xtic(1) with boxes lc variable, \
         $BARS using 0:2:(fmt_usd($3)) with labels offset 0, 0.8
}
unset output
