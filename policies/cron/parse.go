package cron

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Epoch is the wall instant of virtual time 0.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrNotModelled marks a schedule daprd accepts (or crashes on) that sim
// does not simulate; Init wraps it, the message says what daprd does.
var ErrNotModelled = errors.New("not modelled")

// Schedule is one bindings.cron schedule as a release runs it. The zero
// value is no schedule.
type Schedule struct {
	text string
	// every is @every's delay after the release's rounding; 0 for a
	// crontab spec or descriptor, which spec holds.
	every time.Duration
	// whole: Next lands @every fires on whole seconds (kit before v0.16.0).
	whole bool
	spec  specSchedule
}

// String returns the schedule's text as the metadata gave it.
func (s Schedule) String() string { return s.text }

// Every returns @every's delay as the release runs it, and false for any
// other schedule.
func (s Schedule) Every() (time.Duration, bool) { return s.every, s.every != 0 }

// everySince is the first minor release whose kit runs @every at its exact
// delay: kit v0.16.0 "Add subsecond precision to jobs" (#129, 9d4f384)
// dropped the 1 s floor, the truncation to whole seconds and the
// alignment of Next to the second (kit@v0.16.1 cron/constantdelay.go:27-36;
// before, kit@0c7cfce cron/constantdelay.go:31-44). dapr 1.15 pins kit
// v0.15.1, which still rounds; 1.16 pins v0.16.1.
const everySince = 16

// contribErrorsSince is the first minor release whose Init wraps a parse
// error as "invalid schedule format '%s': %w" (contrib@v1.11.5
// bindings/cron/cron.go:80-83); 1.8 … 1.10 used errors.Wrapf(err,
// "invalid schedule format: %s", s) (contrib@v1.10.10 bindings/cron/cron.go:66).
const contribErrorsSince = 11

// Init parses a bindings.cron component's schedule metadata as Dapr 1.minor's
// bindings.cron Init does, and returns Init's error with its text
// (contrib@v1.14.4 bindings/cron/cron.go:72-86): "schedule not set" for an
// empty value, "invalid schedule format '…': …" around the parser's error.
// A schedule sim cannot run (another time zone, a panic in kit's parser, a
// non-positive @every on 1.16) is an error wrapping ErrNotModelled.
func Init(minor int, schedule string) (Schedule, error) {
	if schedule == "" {
		return Schedule{}, errors.New("schedule not set")
	}
	s, err := parse(minor, schedule)
	if err != nil && !errors.Is(err, ErrNotModelled) {
		if minor < contribErrorsSince {
			return Schedule{}, fmt.Errorf("invalid schedule format: %s: %w", schedule, err)
		}
		return Schedule{}, fmt.Errorf("invalid schedule format '%s': %w", schedule, err)
	}
	return s, err
}

// Parser options of kit's cron (kit cron/parser.go:34-44); contrib's parser
// sets all but Second and DowOptional.
type option int

const (
	optSecond option = 1 << iota
	optSecondOptional
	optMinute
	optHour
	optDom
	optMonth
	optDow
	optDowOptional
	optDescriptor
)

const contribOptions = optSecondOptional | optMinute | optHour | optDom | optMonth | optDow | optDescriptor

var places = []option{optSecond, optMinute, optHour, optDom, optMonth, optDow}

var defaults = []string{"0", "0", "0", "*", "*", "*"}

// utcZones are the TZ= names sim accepts: those time.LoadLocation maps to
// UTC without reading a tz database ("" and "UTC"), and the aliases that
// database defines with a zero offset and no transitions.
var utcZones = map[string]bool{"": true, "UTC": true, "Etc/UTC": true, "Etc/UCT": true, "UCT": true, "Etc/GMT": true, "GMT": true, "Etc/Universal": true, "Universal": true, "Etc/Zulu": true, "Zulu": true}

// parse is kit's Parser.Parse with contrib's options (kit cron/parser.go:104-169).
func parse(minor int, spec string) (Schedule, error) {
	text := spec
	if len(spec) == 0 {
		return Schedule{}, fmt.Errorf("empty spec string")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		i := strings.Index(spec, " ")
		eq := strings.Index(spec, "=")
		if i < eq+1 {
			// kit slices spec[eq+1:i] without checking for a space
			// (parser.go:113-115), so daprd's Init panics.
			return Schedule{}, fmt.Errorf("%q has no space after the time zone: kit's cron parser panics on it (cron/parser.go:115), so daprd crashes at start: %w", spec, ErrNotModelled)
		}
		zone := spec[eq+1 : i]
		if !utcZones[zone] {
			return Schedule{}, fmt.Errorf("time zone %q: sim runs cron schedules in UTC only: %w", zone, ErrNotModelled)
		}
		spec = strings.TrimSpace(spec[i:])
	}
	if strings.HasPrefix(spec, "@") {
		s, err := parseDescriptor(minor, spec)
		s.text = text
		return s, err
	}
	fields, err := normalizeFields(strings.Fields(spec), contribOptions)
	if err != nil {
		return Schedule{}, err
	}
	field := func(f string, r bounds) uint64 {
		if err != nil {
			return 0
		}
		var bits uint64
		bits, err = getField(f, r)
		return bits
	}
	ss := specSchedule{
		Second: field(fields[0], seconds),
		Minute: field(fields[1], minutes),
		Hour:   field(fields[2], hours),
		Dom:    field(fields[3], dom),
		Month:  field(fields[4], months),
		Dow:    field(fields[5], dow),
	}
	if err != nil {
		return Schedule{}, err
	}
	return Schedule{text: text, spec: ss}, nil
}

// normalizeFields is kit cron/parser.go:176-231.
func normalizeFields(fields []string, options option) ([]string, error) {
	optionals := 0
	if options&optSecondOptional > 0 {
		options |= optSecond
		optionals++
	}
	if options&optDowOptional > 0 {
		options |= optDow
		optionals++
	}
	if optionals > 1 {
		return nil, fmt.Errorf("multiple optionals may not be configured")
	}
	most := 0
	for _, place := range places {
		if options&place > 0 {
			most++
		}
	}
	least := most - optionals
	if count := len(fields); count < least || count > most {
		if least == most {
			return nil, fmt.Errorf("expected exactly %d fields, found %d: %s", least, count, fields)
		}
		return nil, fmt.Errorf("expected %d to %d fields, found %d: %s", least, most, count, fields)
	}
	if least < most && len(fields) == least {
		switch {
		case options&optDowOptional > 0:
			fields = append(fields, defaults[5])
		case options&optSecondOptional > 0:
			fields = append([]string{defaults[0]}, fields...)
		}
	}
	n := 0
	expanded := make([]string, len(places))
	copy(expanded, defaults)
	for i, place := range places {
		if options&place > 0 {
			expanded[i] = fields[n]
			n++
		}
	}
	return expanded, nil
}

// getField is kit cron/parser.go:252-263.
func getField(field string, r bounds) (uint64, error) {
	var bits uint64
	for _, expr := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' }) {
		bit, err := getRange(expr, r)
		if err != nil {
			return bits, err
		}
		bits |= bit
	}
	return bits, nil
}

// getRange is kit cron/parser.go:270-336: number | number "-" number [ "/" number ].
func getRange(expr string, r bounds) (uint64, error) {
	var (
		start, end, step uint
		rangeAndStep     = strings.Split(expr, "/")
		lowAndHigh       = strings.Split(rangeAndStep[0], "-")
		singleDigit      = len(lowAndHigh) == 1
		err              error
		extra            uint64
	)
	if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
		start, end, extra = r.min, r.max, starBit
	} else {
		start, err = parseIntOrName(lowAndHigh[0], r.names)
		if err != nil {
			return 0, err
		}
		switch len(lowAndHigh) {
		case 1:
			end = start
		case 2:
			end, err = parseIntOrName(lowAndHigh[1], r.names)
			if err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("too many hyphens: %s", expr)
		}
	}
	switch len(rangeAndStep) {
	case 1:
		step = 1
	case 2:
		step, err = mustParseInt(rangeAndStep[1])
		if err != nil {
			return 0, err
		}
		// "N/step" means "N-max/step".
		if singleDigit {
			end = r.max
		}
		if step > 1 {
			extra = 0
		}
	default:
		return 0, fmt.Errorf("too many slashes: %s", expr)
	}
	if start < r.min {
		return 0, fmt.Errorf("beginning of range (%d) below minimum (%d): %s", start, r.min, expr)
	}
	if end > r.max {
		return 0, fmt.Errorf("end of range (%d) above maximum (%d): %s", end, r.max, expr)
	}
	if start > end {
		return 0, fmt.Errorf("beginning of range (%d) beyond end of range (%d): %s", start, end, expr)
	}
	if step == 0 {
		return 0, fmt.Errorf("step of range should be a positive number: %s", expr)
	}
	return getBits(start, end, step) | extra, nil
}

func parseIntOrName(expr string, names map[string]uint) (uint, error) {
	if names != nil {
		if n, ok := names[strings.ToLower(expr)]; ok {
			return n, nil
		}
	}
	return mustParseInt(expr)
}

func mustParseInt(expr string) (uint, error) {
	num, err := strconv.Atoi(expr)
	if err != nil {
		return 0, fmt.Errorf("failed to parse int from %s: %s", expr, err)
	}
	if num < 0 {
		return 0, fmt.Errorf("negative number (%d) not allowed: %s", num, expr)
	}
	return uint(num), nil
}

// getBits sets the bits in [lo, hi] every step (kit cron/parser.go:362-375;
// a step of 1 shifts, so a bit past 63 wraps as it does there).
func getBits(lo, hi, step uint) uint64 {
	if step == 1 {
		return ^(math.MaxUint64 << (hi + 1)) & (math.MaxUint64 << lo)
	}
	var bits uint64
	for i := lo; i <= hi; i += step {
		bits |= 1 << i
	}
	return bits
}

func all(r bounds) uint64 { return getBits(r.min, r.max, 1) | starBit }

// parseDescriptor is kit cron/parser.go:383-451; @every's delay follows the
// release's constantdelay.go.
func parseDescriptor(minor int, descriptor string) (Schedule, error) {
	first := func(r bounds) uint64 { return 1 << r.min }
	switch descriptor {
	case "@yearly", "@annually":
		return Schedule{spec: specSchedule{first(seconds), first(minutes), first(hours), first(dom), first(months), all(dow)}}, nil
	case "@monthly":
		return Schedule{spec: specSchedule{first(seconds), first(minutes), first(hours), first(dom), all(months), all(dow)}}, nil
	case "@weekly":
		return Schedule{spec: specSchedule{first(seconds), first(minutes), first(hours), all(dom), all(months), first(dow)}}, nil
	case "@daily", "@midnight":
		return Schedule{spec: specSchedule{first(seconds), first(minutes), first(hours), all(dom), all(months), all(dow)}}, nil
	case "@hourly":
		return Schedule{spec: specSchedule{first(seconds), first(minutes), all(hours), all(dom), all(months), all(dow)}}, nil
	}
	const every = "@every "
	if !strings.HasPrefix(descriptor, every) {
		return Schedule{}, fmt.Errorf("unrecognized descriptor: %s", descriptor)
	}
	d, err := time.ParseDuration(descriptor[len(every):])
	if err != nil {
		return Schedule{}, fmt.Errorf("failed to parse duration %s: %s", descriptor, err)
	}
	if minor >= everySince {
		if d <= 0 {
			// kit v0.16's Next(t) is t+d: the entry is always due, so
			// cron's run loop starts the job again on every wake.
			return Schedule{}, fmt.Errorf("%s: Dapr 1.%d's cron fires the binding over and over without pause (kit@v0.16.1 cron/constantdelay.go:34-36): %w", descriptor, minor, ErrNotModelled)
		}
		return Schedule{every: d}, nil
	}
	if d < time.Second {
		d = time.Second
	}
	return Schedule{every: d - d%time.Second, whole: true}, nil
}
