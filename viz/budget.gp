# budget.gp - budget.png: each team's planned, actual and forecast spend.
#
# From budget.csv (written by runs with budgets): for each distinct team,
# one panel (up to 12) with plan_usd, actual_usd and forecast_usd of each
# period, drawn as a flat step across [period_start_s, period_end_s); a
# period whose alert is set (not empty) puts a red triangle on the time
# axis at its alert_at_s, when the alert fired. With a single period, one
# group of three bars per team instead. Values are drawn as the report
# gives them; a forecast_usd column that is missing is left out.
# Usage: gnuplot -e "dir='RESULTS_DIR'" viz/budget.gp

NAME = "budget"
if (!exists("viz")) viz = system("dirname '" . ARG0 . "'")
load viz . "/common.gp"

MAX_TEAMS = 12

CSV = csv("budget.csv")
eval READ_HEADER
if (NROWS == 0) {
    print "dcsim plot: skipped budget.png: budget.csv has no rows"
    exit status SKIPPED
}
if (!has("team") || !has("period_start_s") || !has("period_end_s") || \
    !has("plan_usd") || !has("actual_usd")) {
    print "dcsim plot: skipped budget.png: budget.csv has no team, " . \
          "period_start_s, period_end_s, plan_usd and actual_usd"
    exit status SKIPPED
}
HAS_FORECAST = has("forecast_usd")
HAS_ALERT = has("alert") && has("alert_at_s")
forecast(dummy) = HAS_FORECAST ? column("forecast_usd") : NaN
# alert_at_s when the row's alert is set, else -1.
alert_at(dummy) = !HAS_ALERT ? -1 : \
    (strcol("alert") eq "" || strcol("alert") eq "0" || \
     strcol("alert") eq "false" || strcol("alert") eq "none" || \
     strcol("alert_at_s") eq "") ? -1 : column("alert_at_s")

COL = "team"
eval DISTINCT
TEAMS = LABELS
NTEAMS = NLABELS
COL = "period_start_s"
eval DISTINCT
NPERIODS = NLABELS
C = "period_end_s"
eval COLUMN_RANGE
T_END = CMAX
TS = time_scale(T_END)
SERIES = HAS_FORECAST ? "plan actual forecast" : "plan actual"
WHAT = HAS_FORECAST ? "planned, actual and forecast" : "planned and actual"

B_MAX = 0
do for [c in "plan_usd actual_usd" . (HAS_FORECAST ? " forecast_usd" : "")] {
    C = c
    eval COLUMN_RANGE
    B_MAX = CMAX > B_MAX ? CMAX : B_MAX
}
US = usd_scale(B_MAX)

set output out
set style fill solid 0.85 border -1
set format y "$%g"
set ylabel sprintf("spend (%s)", usd_unit(US))

if (NPERIODS == 1) {
    # One group of bars per team: "team plan actual forecast".
    COL = "team"
    LABELS = TEAMS
    NLABELS = NTEAMS
    array PLAN[NTEAMS]
    array ACTUAL[NTEAMS]
    VAL = "plan_usd"
    eval SUM_BY
    do for [t = 1:NTEAMS] { PLAN[t] = TOT[t] }
    VAL = "actual_usd"
    eval SUM_BY
    do for [t = 1:NTEAMS] { ACTUAL[t] = TOT[t] }
    if (HAS_FORECAST) {
        VAL = "forecast_usd"
        eval SUM_BY
    }
    set print $BARS
    do for [t = 1:NTEAMS] {
        print sprintf("%s %.10g %.10g %.10g", word(TEAMS, t), PLAN[t] / US, \
                      ACTUAL[t] / US, HAS_FORECAST ? TOT[t] / US : 0)
    }
    set print
    set datafile separator whitespace
    set datafile nocolumnheaders
    set title sprintf("%s: budget by team: %s spend (%s), period " . \
                      "ending at %.3g %s", RUN, WHAT, usd_unit(US), \
                      T_END / TS, time_name(TS))
    set style data histograms
    set style histogram clustered gap 1
    set xlabel "team"
    set yrange [0:*]
    set offsets 0, 0, graph 0.2, 0
    set grid noxtics
    plot for [i = 1:words(SERIES)] $BARS using (column(i + 1)):xtic(1) \
        lt i title word(SERIES, i)
    unset output
    exit
}

# One panel per team, spend against time.
N = NTEAMS > MAX_TEAMS ? MAX_TEAMS : NTEAMS
if (NTEAMS > MAX_TEAMS) {
    print sprintf("dcsim plot: budget.png: %d teams, drawing the first %d", \
                  NTEAMS, MAX_TEAMS)
}
NCOLS = ceil(sqrt(N))
NROWS_ = ceil(1.0 * N / NCOLS)
set multiplot layout NROWS_, NCOLS title \
    sprintf("%s: budget by team: %s spend per period (%s)", RUN, WHAT, \
            usd_unit(US))
set xrange [0:T_END / TS]
set xlabel sprintf("%s since start of run", time_name(TS))
set key inside top left vertical noopaque nobox
do for [t = 1:N] {
    TEAM = word(TEAMS, t)
    set datafile separator comma
    set datafile columnheaders
    # $TEAM rows: start end plan actual forecast alert_at (-1: none).
    set table $TEAM
    plot CSV using (column("period_start_s")):(column("period_end_s")):\
        (column("plan_usd")):(column("actual_usd")):(forecast(0)):\
        (alert_at(0)) with table if (strcol("team") eq TEAM)
    unset table
    set datafile separator whitespace
    set datafile nocolumnheaders
    set yrange [*:*]   # stats honours the range left by the last panel
    CSV_ = CSV
    CSV = "$TEAM"
    Y_MAX = 0
    do for [c = 3:4 + HAS_FORECAST] {
        C = c
        eval COLUMN_RANGE
        Y_MAX = CMAX > Y_MAX ? CMAX : Y_MAX
    }
    CSV = CSV_
    set yrange [0:(Y_MAX > 0 ? Y_MAX / US : 1) * 1.35]
    set title TEAM
    # Steps draw the rises between periods; vectors each period's flat top.
    plot for [i = 1:words(SERIES)] $TEAM using ($1 / TS):(column(i + 2) / US) \
             with steps lt i lw 2 dt i title word(SERIES, i), \
         for [i = 1:words(SERIES)] $TEAM \
             using ($1 / TS):(column(i + 2) / US):(($2 - $1) / TS):(0) \
             with vectors nohead lt i lw 2 dt i notitle, \
         $TEAM using ($6 >= 0 ? $6 / TS : NaN):(0) with points lt 2 pt 9 \
             ps 2.5 title "alert fired"
}
unset multiplot
unset output
