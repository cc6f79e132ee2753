#!/usr/bin/env bash
# Makes the test documents in this folder with tools LocalQa did not write (Debian packages):
#   apt-get update && apt-get install -y groff pandoc chromium qpdf
# The outputs are committed, so the tests never need these tools; run this again only to remake them.
# Sources: article.md (an article written for these tests), docx-edits.md (comments and tracked
# changes for the Word file), two-column.ms (written below). Each output stays well under 100 KB.
set -euo pipefail
cd "$(dirname "$0")"

# --- a two-column paper from groff -ms, with a running header and a page-number footer -----------
{
  cat <<'MS'
.ds LH Northern Coast Tides, 1851 to 1900
.ds CH
.ds RH Working paper 12
.ds CF Page %
.nr PS 10
.nr VS 12
.TL
Tidal Records of the Northern Coast
.AU
Harbour Historical Society
.2C
MS
  stations=(Kelmsby Fenwick Carrow Morwick Dunmere Ashby Halstow Penrith Selby Orford Wrayton Blyth)
  for i in $(seq 0 35); do
    s=${stations[$((i % 12))]}
    printf '.PP\n'
    printf 'Record %d comes from the tide gauge at %s, which the harbour office read every morning at six.\n' "$i" "$s"
    printf 'For record %d the keepers at %s wrote the height of the morning tide beside the direction of the wind, the state of the sea and the number of vessels waiting outside the bar, and on the days when fog hid the gauge they estimated the height from the marks on the quay wall, noting that the figure was uncertain so that later readers would not mistake it for a measurement taken at the staff itself.\n' "$i" "$s"
    printf 'Their successors found the estimates remarkably close to the measured values.\n'
  done
} > two-column.ms
groff -ms -Tpdf two-column.ms > two-column-groff.pdf

# --- an article printed by headless Chromium (its default header and footer: date, title, URL, page) ---
pandoc -s article.md -o article.html
chromium_print() {
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" "$@"
}
chromium_print --print-to-pdf="$PWD/article-chromium.pdf" "file://$PWD/article.html"

# --- a "scan": a page holding only a raster image, printed without header or footer, so no text at all ---
python3 - <<'PY'
import base64, struct, zlib
w, h = 400, 300
rows = b"".join(b"\x00" + bytes((40 if (y // 12) % 2 and 20 < x < 380 else 235) for x in range(w)) for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
open("scan.html", "w").write('<!DOCTYPE html><html><body style="margin:0"><img src="data:image/png;base64,%s" style="width:100%%"></body></html>' % base64.b64encode(png).decode())
PY
chromium_print --no-pdf-header-footer --print-to-pdf="$PWD/scanned.pdf" "file://$PWD/scan.html"
rm scan.html

# --- the groff paper again, encrypted with a user password (qpdf) ----------------------------------
qpdf --encrypt secret-user secret-owner 256 -- two-column-groff.pdf encrypted.pdf

# --- Word and EPUB from the same article (pandoc); the Word file also gets a comment and tracked changes ---
cat article.md docx-edits.md | pandoc -f markdown -o article.docx
pandoc article.md --epub-chapter-level=1 -o article.epub
rm article.html

ls -l two-column-groff.pdf article-chromium.pdf scanned.pdf encrypted.pdf article.docx article.epub
