package helm

import "testing"

func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"equal", "a: 1\n", "a: 1\n", ""},
		{"one line changed", "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 5\nc: 3\n",
			"--- old\n+++ new\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 5\n c: 3\n"},
		{"from nothing", "", "a: 1\n", "--- old\n+++ new\n@@ -0,0 +1 @@\n+a: 1\n"},
		{"to nothing", "a: 1\n", "", "--- old\n+++ new\n@@ -1 +0,0 @@\n-a: 1\n"},
		{"far apart changes make two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n",
			"--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+y\n"},
		{"no final newline", "a: 1", "a: 2", "--- old\n+++ new\n@@ -1 +1 @@\n-a: 1\n\\ No newline at end of file\n+a: 2\n\\ No newline at end of file\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unifiedDiff("old", "new", tc.old, tc.new); got != tc.want {
				t.Errorf("diff =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
