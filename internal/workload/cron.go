package workload

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The CronHPA controller reads its schedules with a cron parser whose expressions have six
// fields, seconds first, unlike a CronJob's five. A five-field expression pasted from a CronJob
// would be refused by the controller long after kpanda said yes, so kpanda checks the six
// fields itself and says which one is wrong.

// cronField is one field of a six-field cron expression and the values it takes.
type cronField struct {
	name     string
	min, max int
	// names are the words a field accepts for its numbers (JAN, MON), upper case.
	names map[string]int
	// nameExample is one of names, for messages.
	nameExample string
	// blank: "?" may stand for "*", in the day fields.
	blank bool
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
		"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames = map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}

	cronFields = []cronField{
		{name: "second", min: 0, max: 59},
		{name: "minute", min: 0, max: 59},
		{name: "hour", min: 0, max: 23},
		{name: "day of month", min: 1, max: 31, blank: true},
		{name: "month", min: 1, max: 12, names: monthNames, nameExample: "JAN"},
		{name: "day of week", min: 0, max: 6, names: dayNames, nameExample: "MON", blank: true},
	}
)

// cronDescriptors are the shorthands the CronHPA controller accepts in place of six fields.
var cronDescriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

// cronExample is the example every schedule message ends with.
const cronExample = `"0 0 8 * * 1-5" is 08:00:00 on weekdays`

// checkCronSchedule returns what is wrong with a CronHPA job's schedule, "" when nothing: six
// fields, or one of the controller's shorthands (@daily, @every 1h30m, @date 2026-10-27 21:54:00).
func checkCronSchedule(schedule string) string {
	s := strings.TrimSpace(schedule)
	if strings.HasPrefix(s, "@") {
		return checkCronDescriptor(s)
	}
	return checkCronFields(s)
}

// checkCronFields returns what is wrong with a six-field expression, "" when nothing. Exclude
// dates are read by the controller with fields only, no shorthands.
func checkCronFields(expression string) string {
	fields := strings.Fields(expression)
	if len(fields) != len(cronFields) {
		return fmt.Sprintf("%q has %d fields; a CronHPA schedule has 6: second minute hour day-of-month month day-of-week, e.g. %s",
			expression, len(fields), cronExample)
	}
	for i, f := range fields {
		if problem := cronFields[i].check(f); problem != "" {
			return fmt.Sprintf("%q: %s field: %s", expression, cronFields[i].name, problem)
		}
	}
	return ""
}

func checkCronDescriptor(s string) string {
	word, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "@every":
		if d, err := time.ParseDuration(rest); err != nil || d <= 0 {
			return fmt.Sprintf("%q: @every needs a positive duration such as 1h30m, got %q", s, rest)
		}
		return ""
	case "@date":
		if _, err := time.Parse(time.DateTime, rest); err != nil {
			return fmt.Sprintf("%q: @date needs a date and time as 2006-01-02 15:04:05, got %q", s, rest)
		}
		return ""
	}
	for _, d := range cronDescriptors {
		if s == d {
			return ""
		}
	}
	return fmt.Sprintf("%q is not a shorthand the CronHPA controller knows (%s, @every DURATION, @date DATE TIME); or give 6 fields, e.g. %s",
		s, strings.Join(cronDescriptors, ", "), cronExample)
}

// check returns what is wrong with one field: a comma list of *, ?, N, N-M, each with an
// optional /STEP.
func (f cronField) check(field string) string {
	for _, item := range strings.Split(field, ",") {
		if problem := f.checkItem(item); problem != "" {
			return problem
		}
	}
	return ""
}

func (f cronField) checkItem(item string) string {
	span, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		if n, err := strconv.Atoi(step); err != nil || n < 1 {
			return fmt.Sprintf("step %q is not allowed; a step is a whole number of 1 or more", step)
		}
	}
	if span == "*" || (f.blank && span == "?") {
		return ""
	}
	low, high, isRange := strings.Cut(span, "-")
	first, problem := f.value(low)
	if problem != "" {
		return problem
	}
	if !isRange {
		return ""
	}
	last, problem := f.value(high)
	if problem != "" {
		return problem
	}
	if first > last {
		return fmt.Sprintf("the range %s ends before it begins", span)
	}
	return ""
}

// value reads one number or name of the field.
func (f cronField) value(s string) (int, string) {
	if n, ok := f.names[strings.ToUpper(s)]; ok {
		return n, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max {
		allowed := fmt.Sprintf("%d-%d", f.min, f.max)
		if f.nameExample != "" {
			allowed += " or a name such as " + f.nameExample
		}
		if f.blank {
			allowed += ", * or ?"
		} else {
			allowed += " or *"
		}
		return 0, fmt.Sprintf("%q is not allowed; allowed are %s", s, allowed)
	}
	return n, ""
}
