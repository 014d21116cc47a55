package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// buildVersion words the version of the running binary from what the Go
// toolchain recorded in it, so no constant or -ldflags can disagree with
// the build: the module version (`go install …@v0.2.0`, or a build from a
// tagged clean checkout) or (devel), then the commit it was built from when
// the build saw one — revision, commit time, and "modified" when the work
// tree had changes.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versionText(nil)
	}
	return versionText(info)
}

// versionText is buildVersion for given build information (nil: none).
func versionText(info *debug.BuildInfo) string {
	v := "(devel)"
	if info != nil && info.Main.Version != "" {
		v = info.Main.Version
	}
	var vcs []string
	if info != nil {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if r := settings["vcs.revision"]; r != "" {
			vcs = append(vcs, "revision "+r)
		}
		if t := settings["vcs.time"]; t != "" {
			vcs = append(vcs, t)
		}
		if settings["vcs.modified"] == "true" {
			vcs = append(vcs, "modified")
		}
	}
	if len(vcs) > 0 {
		v += " (" + strings.Join(vcs, ", ") + ")"
	}
	return v
}

// versionTemplate is what `sim --version` and `sim version` print.
const versionTemplate = "sim version {{.Version}}\n"

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of this sim binary",
		Long: "version prints the version this binary was built as — the module version (a\n" +
			"release tag, or (devel) for a build from a clone) and, when the build recorded\n" +
			"them, the commit's revision and time and whether the work tree was modified — as\n" +
			"sim --version does. (A trace's header records sim's fixed trace version, not\n" +
			"this, so a trace does not change with every build.)\n\n" +
			"Exit status: 0 printed; 2 an argument was given; 4 the output could not be written.",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 0 {
				return fmt.Errorf("%w: version takes no arguments, got %d (see `sim version --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if _, err := fmt.Fprintf(stdout, "sim version %s\n", c.Root().Version); err != nil {
				return writeErrorf("write version: %w", err)
			}
			return nil
		},
	}
}
