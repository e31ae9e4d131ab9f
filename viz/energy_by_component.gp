# energy_by_component.gp - energy_by_component.png: a run's total energy by
# component, one bar each.
#
# From energy.csv: energy_kwh summed over all intervals for each distinct
# component (gpu, host, network, cooling, electrical_losses, and any added
# later, such as storage), in order of first appearance; kWh, or MWh when
# the largest bar passes 10,000 kWh. The bars sum to the run's facility
# energy; the title gives that total and the IT share (gpu, host, network,
# storage and switches).
# Usage: gnuplot -e "dir='RESULTS_DIR'" viz/energy_by_component.gp

NAME = "energy_by_component"
if (!exists("viz")) viz = system("dirname '" . ARG0 . "'")
load viz . "/common.gp"

CSV = csv("energy.csv")
eval READ_HEADER
if (NROWS == 0) {
    print "dcsim plot: skipped energy_by_component.png: energy.csv has no rows"
    exit status SKIPPED
}
if (!has("component") || !has("energy_kwh")) {
    print "dcsim plot: skipped energy_by_component.png: energy.csv has no " . \
          "component and energy_kwh"
    exit status SKIPPED
}
COL = "component"
VAL = "energy_kwh"
eval DISTINCT
eval SUM_BY

TOTAL = 0
IT = 0
E_MAX = 0
is_it(c) = c eq "gpu" || c eq "host" || c eq "network" || \
    c eq "storage" || c eq "switches"
do for [i = 1:NLABELS] {
    TOTAL = TOTAL + TOT[i]
    IT = IT + (is_it(word(LABELS, i)) ? TOT[i] : 0)
    E_MAX = TOT[i] > E_MAX ? TOT[i] : E_MAX
}
ES = E_MAX > 10000 ? 1000.0 : 1.0
EN = ES == 1000.0 ? "MWh" : "kWh"

set print $BARS
do for [i = 1:NLABELS] {
    print sprintf("%s %.10g", word(LABELS, i), TOT[i] / ES)
}
set print
set datafile separator whitespace
set datafile nocolumnheaders

set output out
set title sprintf("%s: energy by component (%s), total %.1f %s " . \
                  "(IT %.1f %s, %.0f%%)", RUN, EN, TOTAL / ES, EN, \
                  IT / ES, EN, TOTAL > 0 ? 100 * IT / TOTAL : 0)
set ylabel sprintf("energy over the run (%s)", EN)
set xlabel "component"
set yrange [0:(E_MAX > 0 ? E_MAX / ES : 1) * 1.15]
set xrange [-0.6:NLABELS - 0.4]
set grid noxtics
set boxwidth 0.6
set style fill solid 0.85 border -1
unset key
plot $BARS using 0:2:($0 + 1):xtic(1) with boxes lc variable, \
     $BARS using 0:2:(sprintf("%.1f", $2)) with labels offset 0, 0.8
unset output
