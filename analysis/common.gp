# common.gp - what every plot script in analysis/ shares.  Not a plot of its
# own: each script loads it first, from the folder the script lives in:
#
#   gpdir = system(sprintf("dirname '%s'", ARG0))
#   load gpdir."/common.gp"
#
# Variables a user may set with -e (the script has already checked `dir`):
#   outdir   folder the images are written to (default: dir, next to the
#            data); `alignsim report` draws into a private folder this way
#            and never writes into a result folder
#   formats  the images to write, "png svg" (default), "png" or "svg"
#
# Defines: readable(f), provenance(f, key), isnan(v), dyads_in(f),
# listed(list, word), publish(tmp, final), terminal(ext, width, height),
# tmp_name(base, ext) and final_name(base, ext).  An image is drawn under
# tmp_name() and renamed onto final_name() by publish() only when complete.

set datafile separator "\t"
set datafile missing "NA"
set encoding utf8

readable(f) = int(system(sprintf("test -r '%s' && echo 1 || echo 0", f)))
provenance(f, key) = system(sprintf("sed -n 's/^# *%s: *//p' '%s' | head -n 1", key, f))
isnan(v) = (v != v)

# The distinct values of the `dyad` column of table f, in file order,
# separated by spaces; listed() tells whether a word is among them.
dyads_in(f) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !c {for (i = 1; i <= NF; i++) if ($i == \"dyad\") c = i; next} c && !seen[$c]++ {printf \"%%s \", $c}' '%s'", f))
listed(list, d) = strstrt(" ".list." ", " ".d." ") > 0

if (!exists("outdir")) outdir = dir
if (!exists("formats")) formats = "png svg"
if (words(formats) == 0) {
    print "formats: expected png, svg or both, found nothing"
    exit status 2
}
do for [fmt in formats] {
    if (fmt ne "png" && fmt ne "svg") {
        print sprintf("formats: expected png, svg or both, found '%s'", fmt)
        exit status 2
    }
}
if (!int(system(sprintf("test -d '%s' && test -w '%s' && echo 1 || echo 0", outdir, outdir)))) {
    print sprintf("%s: not a folder this user can write to (outdir)", outdir)
    exit status 1
}

# The terminal of each format: PNG through cairo, SVG that scales to its
# container (dynamic), both with the same font and a white background.
terminal(ext, w, h) = (ext eq "png") \
    ? sprintf("pngcairo size %d, %d enhanced font \"Sans,10\" background \"white\"", w, h) \
    : sprintf("svg size %d, %d dynamic enhanced font \"Sans,10\" background \"white\"", w, h)
tmp_name(base, ext) = sprintf("%s/.%s.%s.tmp", outdir, base, ext)
final_name(base, ext) = sprintf("%s/%s.%s", outdir, base, ext)
publish(tmp, final) = system(sprintf("mv -f '%s' '%s' && echo ok", tmp, final))
