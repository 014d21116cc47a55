package cron

import "time"

// specSchedule is kit's SpecSchedule (kit cron/spec.go:24-29): one bit per
// allowed value, the top bit set when the field was a star. Its location is
// always UTC (see the package doc).
type specSchedule struct {
	Second, Minute, Hour, Dom, Month, Dow uint64
}

type bounds struct {
	min, max uint
	names    map[string]uint
}

// The bounds of each field (kit cron/spec.go:38-66).
var (
	seconds = bounds{0, 59, nil}
	minutes = bounds{0, 59, nil}
	hours   = bounds{0, 23, nil}
	dom     = bounds{1, 31, nil}
	months  = bounds{1, 12, map[string]uint{
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
		"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	}}
	dow = bounds{0, 6, map[string]uint{
		"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
	}}
)

const starBit = 1 << 63

// Next returns the virtual instant of the schedule's first fire after
// virtual instant after, and false when it never fires again (kit gives
// up after five years without a match, e.g. "0 0 30 2 *"). A binding's
// fires are Next(start), where start is when daprd starts reading it,
// then Next of each fire: kit's run loop asks the schedule again with the
// instant its timer woke (kit cron/cron.go:263-265, 288-302).
func (s Schedule) Next(after time.Duration) (time.Duration, bool) {
	t := s.NextTime(Epoch.Add(after))
	if t.IsZero() {
		return 0, false
	}
	return t.Sub(Epoch), true
}

// NextTime is Next on the wall clock, in UTC: the zero time when the
// schedule never fires again.
func (s Schedule) NextTime(t time.Time) time.Time {
	if s.every != 0 {
		if s.whole {
			// kit@0c7cfce cron/constantdelay.go:42-44: on the second.
			return t.Add(s.every - time.Duration(t.Nanosecond()))
		}
		return t.Add(s.every)
	}
	if s.spec == (specSchedule{}) {
		return time.Time{}
	}
	return s.spec.next(t.UTC())
}

// next is kit's SpecSchedule.Next (kit cron/spec.go:75-192) with its
// location fixed to UTC, where days always start at midnight; the DST
// correction is kept so the port reads line for line.
func (s *specSchedule) next(t time.Time) time.Time {
	loc := time.UTC
	// Start at the earliest possible time (the upcoming second).
	t = t.Add(1*time.Second - time.Duration(t.Nanosecond())*time.Nanosecond)
	added := false
	yearLimit := t.Year() + 5

WRAP:
	if t.Year() > yearLimit {
		return time.Time{}
	}
	for 1<<uint(t.Month())&s.Month == 0 {
		if !added {
			added = true
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		}
		t = t.AddDate(0, 1, 0)
		if t.Month() == time.January {
			goto WRAP
		}
	}
	for !s.dayMatches(t) {
		if !added {
			added = true
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		}
		t = t.AddDate(0, 0, 1)
		if t.Hour() != 0 {
			if t.Hour() > 12 {
				t = t.Add(time.Duration(24-t.Hour()) * time.Hour)
			} else {
				t = t.Add(time.Duration(-t.Hour()) * time.Hour)
			}
		}
		if t.Day() == 1 {
			goto WRAP
		}
	}
	for 1<<uint(t.Hour())&s.Hour == 0 {
		if !added {
			added = true
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
		}
		t = t.Add(1 * time.Hour)
		if t.Hour() == 0 {
			goto WRAP
		}
	}
	for 1<<uint(t.Minute())&s.Minute == 0 {
		if !added {
			added = true
			t = t.Truncate(time.Minute)
		}
		t = t.Add(1 * time.Minute)
		if t.Minute() == 0 {
			goto WRAP
		}
	}
	for 1<<uint(t.Second())&s.Second == 0 {
		if !added {
			added = true
			t = t.Truncate(time.Second)
		}
		t = t.Add(1 * time.Second)
		if t.Second() == 0 {
			goto WRAP
		}
	}
	return t
}

// dayMatches is kit cron/spec.go:196-205: with a star in either day field
// both must match, otherwise either (crontab's rule).
func (s *specSchedule) dayMatches(t time.Time) bool {
	domMatch := 1<<uint(t.Day())&s.Dom > 0
	dowMatch := 1<<uint(t.Weekday())&s.Dow > 0
	if s.Dom&starBit > 0 || s.Dow&starBit > 0 {
		return domMatch && dowMatch
	}
	return domMatch || dowMatch
}
