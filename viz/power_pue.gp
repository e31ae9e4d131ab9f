# power_pue.gp - power_pue.png: a run's power draw over time, with PUE.
#
# From timeseries.csv: every *_power_w column (it_power_w, facility_power_w,
# and any added later, such as cooling_power_w) in kW or MW on the left
# axis, pue on the right axis, and outside_temp_c in a panel below when the
# report has it. Each value is the mean over its interval
# [interval_start_s, interval_end_s), drawn as a flat step across it.
# Usage: gnuplot -e "dir='RESULTS_DIR'" viz/power_pue.gp

NAME = "power_pue"
if (!exists("viz")) viz = system("dirname '" . ARG0 . "'")
load viz . "/common.gp"

CSV = csv("timeseries.csv")
eval READ_HEADER
if (NROWS == 0) {
    print "dcsim plot: skipped power_pue.png: timeseries.csv has no rows"
    exit status SKIPPED
}
if (!has("interval_start_s") || !has("interval_end_s")) {
    print "dcsim plot: skipped power_pue.png: timeseries.csv has no " . \
          "interval_start_s and interval_end_s"
    exit status SKIPPED
}
# IT and facility first, so that they keep their colours; then the others
# in the report's order.
POWER = ""
do for [c in "it_power_w facility_power_w"] {
    if (has(c)) { POWER = POWER . " " . c }
}
do for [c in COLS] {
    if (ends_with(c, "_power_w") && c ne "it_power_w" && \
        c ne "facility_power_w") { POWER = POWER . " " . c }
}
if (words(POWER) == 0) {
    print "dcsim plot: skipped power_pue.png: timeseries.csv has no " . \
          "*_power_w column"
    exit status SKIPPED
}
HAS_PUE = has("pue")
HAS_TEMP = has("outside_temp_c")

C = "interval_end_s"
eval COLUMN_RANGE
T_END = CMAX
TS = time_scale(T_END)
P_MAX = 0
do for [c in POWER] {
    C = c
    eval COLUMN_RANGE
    P_MAX = CMAX > P_MAX ? CMAX : P_MAX
}
PUE_MAX = 2
if (HAS_PUE) {
    C = "pue"
    eval COLUMN_RANGE
    PUE_MAX = CMAX > 1 ? CMAX : 2
}
T_MIN = 0
T_MAX = 0
if (HAS_TEMP) {
    C = "outside_temp_c"
    eval COLUMN_RANGE
    T_MIN = CMIN
    T_MAX = CMAX
}
PS = P_MAX >= 2e6 ? 1e6 : 1e3
PN = PS == 1e6 ? "MW" : "kW"
power_label(c) = c eq "it_power_w" ? "IT power" : \
    c[1:strlen(c) - 8] . " power"

t0(dummy) = column("interval_start_s") / TS
dt(dummy) = (column("interval_end_s") - column("interval_start_s")) / TS

set output out
# Fixed side margins keep the panels' time axes aligned.
set lmargin at screen 0.08
set rmargin at screen 0.92
if (HAS_TEMP) {
    set multiplot
    set size 1, 0.72
    set origin 0, 0.28
    set bmargin 1
    set format x ""
} else {
    set xlabel sprintf("time since start of run (%s)", time_name(TS))
}
set title sprintf("%s: power (%s) and PUE over time (interval means)", RUN, PN)
set xrange [0:T_END / TS]
set ylabel sprintf("power (%s)", PN)
set yrange [0:P_MAX / PS * 1.3]
set ytics nomirror
if (HAS_PUE) {
    set y2label "PUE"
    set y2tics
    set y2range [1:PUE_MAX + 0.3 * (PUE_MAX - 1) + 0.05]
}
NP = words(POWER)
# Steps draw the rises between intervals; vectors draw each interval's flat
# top, including the last (steps stop at its start).
plot for [i = 1:NP] CSV using (t0(0)):(column(word(POWER, i)) / PS) \
         with steps lt i lw 2 title power_label(word(POWER, i)), \
     for [i = 1:NP] CSV \
         using (t0(0)):(column(word(POWER, i)) / PS):(dt(0)):(0) with vectors nohead lt i lw 2 notitle, \
     for [i = 1:HAS_PUE] CSV using (t0(0)):(column("pue")) axes x1y2 \
         with steps lt 8 dt 2 lw 2 title "PUE (right axis)", \
     for [i = 1:HAS_PUE] CSV using (t0(0)):(column("pue")):(dt(0)):(0) \
         axes x1y2 with vectors nohead lt 8 dt 2 lw 2 notitle

if (HAS_TEMP) {
    set size 1, 0.28
    set origin 0, 0
    set tmargin 0
    set bmargin
    unset title
    unset key
    set format x "% h"
    set xlabel sprintf("time since start of run (%s)", time_name(TS))
    set ylabel "outside (°C)"
    set yrange [*:*]
    unset y2tics
    unset y2label
    if (T_MAX - T_MIN < 1) { set yrange [T_MIN - 1:T_MAX + 1] }
    plot CSV using (t0(0)):(column("outside_temp_c")) with steps lt 4 lw 2, \
         CSV using (t0(0)):(column("outside_temp_c")):(dt(0)):(0) \
             with vectors nohead lt 4 lw 2
    unset multiplot
}
unset output
