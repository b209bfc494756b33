# Turns one "## SECTION" of a Markdown file (the README) into the body of a
# man(7) page, so that the README and the manual page are one text. Reads the
# Markdown the README uses: paragraphs, fenced code blocks, "###" headings,
# "- " lists, tables, `code`, **bold** and [links](url).
#
# Variables:
#   heading  the "## " heading whose section becomes the page (required)

function escape(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    return s
}

function line_start(s) {
    return s ~ /^[.']/ ? "\\&" s : s
}

# Emphasis and links, outside code spans.
function prose(s,    link) {
    s = escape(s)
    while (match(s, /\*\*[^*]+\*\*/))
        s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
    while (match(s, /\[[^]]*\]\([^)]*\)/)) {
        link = substr(s, RSTART + 1, RLENGTH - 2)
        sub(/\]\(.*/, "", link)
        s = substr(s, 1, RSTART - 1) link substr(s, RSTART + RLENGTH)
    }
    return s
}

function inline(s,    out, start, len) {
    out = ""
    while (match(s, /`[^`]*`/)) {
        start = RSTART    # prose() matches too
        len = RLENGTH
        out = out prose(substr(s, 1, start - 1)) "\\fB" escape(substr(s, start + 1, len - 2)) "\\fR"
        s = substr(s, start + len)
    }
    return line_start(out prose(s))
}

function trim(s) {
    sub(/^ +/, "", s)
    sub(/ +$/, "", s)
    return s
}

BEGIN { inside = 0; code = 0; state = "between" }

/^## / {
    inside = (substr($0, 4) == heading)
    if (inside)
        found = 1
    next
}
!inside { next }

/^```/ {
    if (!code) {
        print ".PP"
        print ".RS 4"
        print ".nf"
    } else {
        print ".fi"
        print ".RE"
        state = "between"
    }
    code = !code
    next
}
code { print line_start(escape($0)); next }

/^#+ / {
    sub(/^#+ /, "")
    print ".SS"
    print inline($0)
    state = "between"
    next
}
/^[ ]*$/ { if (state != "list") state = "between"; next }
/^\|/ {
    if ($0 ~ /^\|[-:| ]+\|$/)
        next
    n = split($0, cells, "|")
    if (state != "table") {
        state = "table"    # the header row names the columns; rows follow
        next
    }
    print ".TP"
    print "\\fB" inline(trim(cells[2])) "\\fR"
    rest = ""
    for (c = 3; c < n; c++)
        if (trim(cells[c]) != "")
            rest = rest (rest == "" ? "" : "; ") trim(cells[c])
    print inline(rest)
    next
}
/^[-*] / {
    print ".IP \\(bu 2"
    print inline(substr($0, 3))
    state = "list"
    next
}
{
    if (state == "list" && $0 ~ /^  /) {
        print inline(trim($0))
        next
    }
    if (state != "paragraph")
        print ".PP"
    state = "paragraph"
    print inline(trim($0))
}

END {
    if (!found) {
        print "md2roff: no section '## " heading "'" > "/dev/stderr"
        exit 1
    }
}
