package retry

import (
	"fmt"
	"strconv"
	"strings"
)

// CodeRange is an inclusive range of status codes.
type CodeRange struct{ Start, End int32 }

// The ranges Dapr accepts (pkg/resiliency/retry.go).
var (
	HTTPCodes = CodeRange{100, 599}
	GRPCCodes = CodeRange{0, 16}
)

func (r CodeRange) has(c int32) bool { return r.Start <= c && c <= r.End }

// Matching is a 1.15+ retry policy's `matching`: which status codes of a
// failed call are worth retrying. A nil list allows every code of its kind.
// The retry machine does not read it: the runner around the machine decides
// whether an error is permanent before it reaches the machine.
type Matching struct {
	HTTPStatusCodes []CodeRange
	GRPCStatusCodes []CodeRange
}

// NeedRetry is Dapr's statusCodeNeedRetry: a code in gRPC's range is
// checked against the gRPC list, one in HTTP's range against the HTTP list,
// and any other code is not retried. A nil Matching (no `matching` key)
// retries every valid code.
func (m *Matching) NeedRetry(code int32) bool {
	var grpc, http []CodeRange
	if m != nil {
		grpc, http = m.GRPCStatusCodes, m.HTTPStatusCodes
	}
	switch {
	case GRPCCodes.has(code):
		return allowed(code, grpc)
	case HTTPCodes.has(code):
		return allowed(code, http)
	}
	return false
}

func allowed(code int32, ranges []CodeRange) bool {
	if ranges == nil {
		return true
	}
	for _, r := range ranges {
		if r.has(code) {
			return true
		}
	}
	return false
}

// ParseCodes reads a list such as "500-599,404" the way Dapr's parsePatterns
// does: empty entries are skipped, an empty list means every code (nil),
// and every code must lie in valid.
func ParseCodes(patterns string, valid CodeRange) ([]CodeRange, error) {
	if patterns == "" {
		return nil, nil
	}
	out := make([]CodeRange, 0, 4)
	for _, p := range strings.Split(patterns, ",") {
		if p == "" {
			continue
		}
		parts := strings.Split(p, "-")
		if len(parts) > 2 {
			return nil, fmt.Errorf("invalid pattern %s, more than one '-' exists", p)
		}
		start, err := strconv.Atoi(parts[0])
		if err != nil {
			return nil, fmt.Errorf("failed to parse start code %s from pattern %s to int", parts[0], p)
		}
		end := start
		if len(parts) == 2 {
			if end, err = strconv.Atoi(parts[1]); err != nil {
				return nil, fmt.Errorf("failed to parse end code %s from pattern %s to int", parts[1], p)
			}
		}
		r := CodeRange{int32(start), int32(end)}
		if int64(start) != int64(r.Start) || !valid.has(r.Start) {
			return nil, fmt.Errorf("invalid pattern %s, start code %d is not valid", p, start)
		}
		if int64(end) != int64(r.End) || !valid.has(r.End) {
			return nil, fmt.Errorf("invalid pattern %s, end code %d is not valid", p, end)
		}
		if r.Start > r.End {
			return nil, fmt.Errorf("invalid pattern %s, start value should not bigger than end value", p)
		}
		out = append(out, r)
	}
	return out, nil
}
