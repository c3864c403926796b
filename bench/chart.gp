# Delay from request to first printed line, as a cumulative share of the
# requests nginx logged, one line per shipper. Data: bench/results/delays.dat,
# written by bench/run.ts (one block per shipper, its title in the header row).
# The delay axis is logarithmic: the shippers differ by orders of magnitude
# (tenths of a second to tens of seconds).
# Run from the repository root: gnuplot bench/chart.gp
set terminal png size 900,520 font ",11"
set output 'bench/results/shipping.png'
set title 'Log shipping under a steady HTTP load: delay until the sidecar printed the line'
set xlabel 'delay from request to first printed line (s, log scale)'
set ylabel 'share of logged requests printed'
set logscale x 10
set format x '%g'
set yrange [0:1.05]
set xrange [0.001:100]
set grid xtics mxtics ytics
set key below box
stats 'bench/results/delays.dat' nooutput
plot for [i=0:STATS_blocks-1] 'bench/results/delays.dat' index i using 1:2 with steps lw 2 title columnheader(1)
