# Clustered bars from a whitespace table with a header row (first column:
# the row's label; "-" = no figure), as bench/report.py writes them.
#   gnuplot -e "datafile='F'; outfile='O.png'; ytitle='ns/packet'; \
#               title='...'; ncols=4" bench/plot.gp
if (!exists("datafile")) datafile = "build/bench/pktcost.dat"
if (!exists("outfile")) outfile = "build/bench/pktcost.png"
if (!exists("ytitle")) ytitle = "ns/packet (BPF\\_PROG\\_TEST\\_RUN)"
if (!exists("title")) title = "sluice per-packet cost by path and distinct flows"
if (!exists("ncols")) ncols = 4

set terminal pngcairo size 1200,600 noenhanced font "sans,10"
set output outfile
set title title
set ylabel ytitle
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left autotitle columnheader
set grid ytics
set yrange [0:*]
set xtics rotate by -20 scale 0
plot for [i=2:ncols+1] datafile using i:xtic(1)
