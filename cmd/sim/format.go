package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// formatFlag is --format: one of a fixed list of output forms, the first
// the default. A value outside the list is refused while the flags are
// parsed (exit 2), naming the allowed ones.
type formatFlag struct {
	value   string
	allowed []string
}

func newFormatFlag(allowed ...string) *formatFlag {
	return &formatFlag{value: allowed[0], allowed: allowed}
}

// addTo registers the flag on fs with usage naming the forms.
func (f *formatFlag) addTo(fs *pflag.FlagSet, usage string) {
	fs.Var(f, "format", usage)
}

func (f *formatFlag) String() string { return f.value }

func (f *formatFlag) Set(s string) error {
	for _, a := range f.allowed {
		if s == a {
			f.value = s
			return nil
		}
	}
	return fmt.Errorf("want %s", orList(f.allowed))
}

func (f *formatFlag) Type() string { return "string" }

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
