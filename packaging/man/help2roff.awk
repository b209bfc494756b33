# Turns a program's --help text into man(7) roff, so that a manual page and
# --help never say different things. The shape it reads is the one hookwarden
# and hookwarden-emulator print:
#
#   Usage: PROGRAM ARGS           first line
#   paragraphs                    plain lines, blank lines between them
#   Heading:                      a line at column 0 ending in ':'
#     TERM   description          two-space indent, then the description
#            continued            deeper indent
#   Exit status: ...              a paragraph (its own section at top level)
#
# Variables:
#   mode=page     a whole page's body: NAME, SYNOPSIS, DESCRIPTION, one
#                 section per heading, EXIT STATUS; when `details` names a
#                 file, it is copied at the end of the "Commands:" section
#   mode=command  one command's help as a subsection (.SS) of such a page
#   program       the program's name (for NAME)

function roff(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    while (match(s, /`[^`]*`/))
        s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
    if (s ~ /^[.']/)
        s = "\\&" s
    return s
}

function trim(s) {
    sub(/^ +/, "", s)
    sub(/ +$/, "", s)
    return s
}

function indent(s) {
    match(s, /^ */)
    return RLENGTH
}

# The column where descriptions start in the list that begins at line i:
# the deepest indent of its continuation lines, else the first item's gap.
function description_column(i,    col, j) {
    col = 0
    for (j = i; j <= NR && line[j] != "" && indent(line[j]) > 0; j++)
        if (indent(line[j]) > 2 && indent(line[j]) > col)
            col = indent(line[j])
    if (col == 0 && match(line[i], /^  [^ ]+( [^ ]+)*  +/))
        col = RLENGTH
    return col
}

# One list item: "  TERM  description" (or TERM ending at the column).
function item(s, col,    term, rest) {
    if (match(s, /^  [^ ]+( [^ ]+)*  +/)) {
        term = substr(s, 1, RLENGTH)
        rest = substr(s, RLENGTH + 1)
    } else if (col > 0 && length(s) > col && substr(s, col, 1) == " ") {
        term = substr(s, 1, col)
        rest = substr(s, col + 1)
    } else {
        term = s
        rest = ""
    }
    print ".TP"
    print "\\fB" roff(trim(term)) "\\fR"
    if (trim(rest) != "")
        print roff(trim(rest))
}

function close_section() {
    if (mode == "page" && section == "Commands" && details != "") {
        while ((getline copied < details) > 0)
            print copied
        close(details)
    }
}

{ line[NR] = $0 }

END {
    first = 1
    if (line[1] ~ /^Usage: /) {
        usage = substr(line[1], 8)
        first = 2
    }
    if (mode == "page") {
        # NAME: the first paragraph, as "program \- what it is".
        summary = ""
        for (i = first; i <= NR && line[i] == ""; i++) ;
        for (; i <= NR && line[i] != "" && line[i] !~ /:$/; i++)
            summary = summary (summary == "" ? "" : " ") trim(line[i])
        sub(/\.$/, "", summary)
        summary = tolower(substr(summary, 1, 1)) substr(summary, 2)
        print ".SH NAME"
        print roff(program) " \\- " roff(summary)
        split(usage, words, " ")
        print ".SH SYNOPSIS"
        print ".B " roff(words[1])
        print roff(trim(substr(usage, length(words[1]) + 1)))
        print ".SH DESCRIPTION"
    } else {
        print ".SS"
        print roff(usage)
    }

    section = ""
    state = "between"    # between | paragraph | list
    col = 0
    for (i = first; i <= NR; i++) {
        s = line[i]
        if (s == "") {
            if (state == "paragraph")
                state = "between"
            continue
        }
        if (indent(s) == 0 && s ~ /^[A-Z][A-Za-z ]*:$/) {
            close_section()
            section = substr(s, 1, length(s) - 1)
            if (mode == "page") {
                print ".SH"
                print toupper(roff(section))
            } else {
                print ".PP"
                print "\\fB" roff(s) "\\fR"
            }
            state = "list"
            col = description_column(i + 1)
            continue
        }
        if (state == "list" && indent(s) == 2) {
            item(s, col)
            continue
        }
        if (state == "list" && indent(s) > 2) {
            print roff(trim(s))
            continue
        }
        if (state != "paragraph") {
            if (mode == "page" && s ~ /^Exit (codes|status): /) {
                close_section()
                section = "Exit status"
                print ".SH \"EXIT STATUS\""
                sub(/^Exit (codes|status): /, "", s)
            } else {
                print ".PP"
            }
            state = "paragraph"
        }
        print roff(trim(s))
    }
    close_section()
}
