package helm

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround each change, as diff -u.
const diffContext = 3

// unifiedDiff is the unified line diff of old to new (empty when they are equal), labelled
// with the two names, so that an upgrade shows what it changes in the values.
func unifiedDiff(oldName, newName, old, new string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := lineOps(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(ops) {
		writeHunk(&out, ops[h[0]:h[1]])
	}
	return out.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lineOp is one line of the diff: ' ' kept, '-' removed, '+' added, with its line numbers in
// the old and new text (1-based, of the line or of the one before it).
type lineOp struct {
	kind         byte
	text         string
	aLine, bLine int
}

// lineOps aligns a and b along a longest common subsequence; values files are short, so the
// quadratic table is fine.
func lineOps(a, b []string) []lineOp {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []lineOp
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, lineOp{' ', a[i], i + 1, j + 1})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] > lcs[i+1][j]):
			ops = append(ops, lineOp{'+', b[j], i, j + 1})
			j++
		default:
			ops = append(ops, lineOp{'-', a[i], i + 1, j})
			i++
		}
	}
	return ops
}

// hunks are [start, end) ranges of ops: each change with its context, overlapping ones merged.
func hunks(ops []lineOp) [][2]int {
	var out [][2]int
	for i, op := range ops {
		if op.kind == ' ' {
			continue
		}
		start, end := max(0, i-diffContext), min(len(ops), i+diffContext+1)
		if n := len(out); n > 0 && start <= out[n-1][1] {
			out[n-1][1] = end
			continue
		}
		out = append(out, [2]int{start, end})
	}
	return out
}

func writeHunk(out *strings.Builder, ops []lineOp) {
	aStart, bStart, aCount, bCount := 0, 0, 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			if aCount == 0 {
				aStart = op.aLine
			}
			aCount++
		}
		if op.kind != '-' {
			if bCount == 0 {
				bStart = op.bLine
			}
			bCount++
		}
	}
	// As diff -u: an empty side starts at the line before the hunk.
	if aCount == 0 {
		aStart = ops[0].aLine
	}
	if bCount == 0 {
		bStart = ops[0].bLine
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, op := range ops {
		out.WriteByte(op.kind)
		out.WriteString(op.text)
		if !strings.HasSuffix(op.text, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
