package workload

import (
	"strings"
	"testing"
)

func TestCheckCronSchedule(t *testing.T) {
	tests := []struct {
		schedule string
		phrase   string // "" for a good schedule
	}{
		{"0 0 8 * * *", ""},
		{"30 */1 * * * *", ""},
		{"0 0 8,20 * * 1-5", ""},
		{"0 0 8 ? * MON-FRI", ""},
		{"0 0 0 1 jan,Jul ?", ""},
		{"0 5/15 * * * *", ""},
		{"  0 0 8 * * *  ", ""},
		{"@daily", ""},
		{"@every 1h30m", ""},
		{"@date 2026-10-27 21:54:00", ""},
		{"", "has 0 fields"},
		{"0 8 * * *", "has 5 fields; a CronHPA schedule has 6"},
		{"0 0 0 8 * * *", "has 7 fields"},
		{"60 * * * * *", `second field: "60" is not allowed; allowed are 0-59 or *`},
		{"0 0 24 * * *", "hour field: \"24\""},
		{"0 0 0 0 * *", `day of month field: "0"`},
		{"0 0 0 * 13 *", "month field"},
		{"0 0 0 * * 7", "day of week field"},
		{"? * * * * *", `second field: "?"`},
		{"0 */0 * * * *", `step "0" is not allowed`},
		{"0 10-5 * * * *", "ends before it begins"},
		{"0 0 0 * FOO *", "a name such as JAN"},
		{"0 0 0 * * 1,", `day of week field: "" is not allowed`},
		{"@sometimes", "not a shorthand"},
		{"@every soon", "positive duration"},
		{"@every -1m", "positive duration"},
		{"@date tomorrow", "2006-01-02 15:04:05"},
	}
	for _, tc := range tests {
		t.Run(tc.schedule, func(t *testing.T) {
			got := checkCronSchedule(tc.schedule)
			if tc.phrase == "" {
				if got != "" {
					t.Fatalf("want good, got %q", got)
				}
				return
			}
			if !strings.Contains(got, tc.phrase) {
				t.Errorf("got %q, want %q", got, tc.phrase)
			}
		})
	}
}

// Exclude dates are read with fields only: a shorthand is not a date to skip.
func TestCheckCronFieldsRefusesShorthands(t *testing.T) {
	if got := checkCronFields("@daily"); !strings.Contains(got, "has 1 fields") {
		t.Errorf("got %q", got)
	}
	if got := checkCronFields("* * * 15 11 *"); got != "" {
		t.Errorf("15 November: %q", got)
	}
}
