// Package deps pins the modules the packages use before they all exist. Removed once every dependency is imported by real code.
package deps

import (
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/benbjohnson/clock"
	_ "github.com/google/cel-go/cel"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/spf13/cobra"
	_ "gopkg.in/yaml.v3"
)
