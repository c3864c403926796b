# Throughput of each log follower on 1 KiB lines: MiB/s per CPU core and
# wall-clock MiB/s, log scale, with the published range of Fluent Bit's tail
# input (one thread) as a grey band. Data: bench/results/throughput.dat, written
# by bench/throughput.ts, which also passes anchor_lo and anchor_hi (MiB/s).
# Run from the repository root:
#   gnuplot -e 'anchor_lo=33.4; anchor_hi=87.7' bench/throughput.gp
if (!exists("anchor_lo")) anchor_lo = 33.4
if (!exists("anchor_hi")) anchor_hi = 87.7
set terminal png size 1000,600 font ",11"
set output 'bench/results/throughput.png'
set title 'Log followers reading a file of 1 KiB nginx lines from its head (median of the runs)'
set ylabel 'MiB/s (log scale)'
set logscale y
set yrange [5:10000]
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics noenhanced font ",10" offset 0,-0.3
set bmargin 5
set key top right box opaque
stats 'bench/results/throughput.dat' using 2 nooutput
set xrange [-0.6:STATS_records-0.4]
set object 1 rect from graph 0, first anchor_lo to graph 1, first anchor_hi behind fc rgb '#dddddd' fs solid 1.0 noborder
plot 'bench/results/throughput.dat' using 2:xtic(1) title 'per CPU core (lines over CPU seconds)' lc rgb '#2a6fbb', \
     '' using 3 title 'wall clock' lc rgb '#e69f00', \
     '' using ($0-0.15):2:(sprintf("%.0f", $2)) with labels offset 0,0.7 font ",9" notitle, \
     '' using ($0+0.15):3:(sprintf("%.0f", $3)) with labels offset 0,0.7 font ",9" notitle, \
     NaN with boxes fc rgb '#dddddd' title sprintf("Fluent Bit tail input, published: %.0f-%.0f MiB/s, one thread", anchor_lo, anchor_hi)
