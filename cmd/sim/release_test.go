package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot is the repository, from this package's folder.
const repoRoot = "../.."

// goreleaserConfig is the part of .goreleaser.yaml this repository's
// release depends on.
type goreleaserConfig struct {
	Version int `yaml:"version"`
	Builds  []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		GOOS    []string `yaml:"goos"`
		GOARCH  []string `yaml:"goarch"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		IDs   []string `yaml:"ids"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
	} `yaml:"checksum"`
}

// releaseProblems lists what in a GoReleaser config disagrees with the
// repository at root: one build of this command as sim, for linux, darwin
// and windows on amd64 and arm64, without cgo, no -X setting a version
// (sim version reads the build information), archives holding files that
// exist (LICENSE and README.md among them) and checksums.
func releaseProblems(data []byte, root string) []string {
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return []string{"not YAML: " + err.Error()}
	}
	var p []string
	if cfg.Version != 2 {
		p = append(p, fmt.Sprintf("version: %d, want 2", cfg.Version))
	}
	if len(cfg.Builds) != 1 {
		return append(p, fmt.Sprintf("%d builds, want 1 (sim)", len(cfg.Builds)))
	}
	b := cfg.Builds[0]
	here, _ := filepath.Abs(".")
	if main, _ := filepath.Abs(filepath.Join(root, b.Main)); main != here {
		p = append(p, fmt.Sprintf("builds[0].main: %s is not cmd/sim", b.Main))
	}
	if b.Binary != "sim" {
		p = append(p, fmt.Sprintf("builds[0].binary: %q, want sim", b.Binary))
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		p = append(p, "builds[0].env: want CGO_ENABLED=0, for binaries that run on any libc")
	}
	for field, pair := range map[string][2][]string{
		"goos":   {b.GOOS, {"darwin", "linux", "windows"}},
		"goarch": {b.GOARCH, {"amd64", "arm64"}},
	} {
		got := slices.Sorted(slices.Values(pair[0]))
		if !slices.Equal(got, pair[1]) {
			p = append(p, fmt.Sprintf("builds[0].%s: %v, want %v", field, got, pair[1]))
		}
	}
	for _, l := range b.Ldflags {
		if strings.Contains(l, "-X") {
			p = append(p, fmt.Sprintf("builds[0].ldflags: %q sets a variable: the version comes from the build information", l))
		}
	}
	if len(cfg.Archives) == 0 {
		p = append(p, "no archives")
	}
	for i, a := range cfg.Archives {
		if !slices.Contains(a.IDs, b.ID) {
			p = append(p, fmt.Sprintf("archives[%d].ids: %v, want the build %q", i, a.IDs, b.ID))
		}
		for _, want := range []string{"LICENSE", "README.md"} {
			if !slices.Contains(a.Files, want) {
				p = append(p, fmt.Sprintf("archives[%d].files: want %s", i, want))
			}
		}
		for _, f := range a.Files {
			if _, err := os.Stat(filepath.Join(root, f)); err != nil {
				p = append(p, fmt.Sprintf("archives[%d].files: %s is not in the repository", i, f))
			}
		}
	}
	if cfg.Checksum.NameTemplate == "" {
		p = append(p, "checksum.name_template: want a checksums file")
	}
	return p
}

// TestGoReleaserConfig: .goreleaser.yaml builds this command for the
// platforms the README promises, and a config that drifts is caught.
func TestGoReleaserConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range releaseProblems(data, repoRoot) {
		t.Error(p)
	}
	for _, tc := range []struct{ old, new, want string }{
		{"main: ./cmd/sim", "main: ./cmd/simx", "builds[0].main"},
		{"      - arm64\n", "", "builds[0].goarch"},
		{"      - windows\n", "", "builds[0].goos"},
		{"      - -s -w", "      - -s -w -X main.version={{.Version}}", "builds[0].ldflags"},
		{"      - LICENSE\n", "      - LICENCE\n", "archives[0].files"},
		{"version: 2", "version: 1", "version"},
	} {
		if !strings.Contains(string(data), tc.old) {
			t.Fatalf("the config has no %q to change", tc.old)
		}
		bad := strings.Replace(string(data), tc.old, tc.new, 1)
		got := releaseProblems([]byte(bad), repoRoot)
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, tc.want) }) {
			t.Errorf("%q → %q: problems %q, want one about %s", tc.old, tc.new, got, tc.want)
		}
	}
}

// TestReleaseTargetsBuild compiles sim for every target .goreleaser.yaml
// names (SIM_RELEASE_CHECK=1; .ci/run sets it): a file that builds only on
// Linux would otherwise be found at the tag. Cold, each target compiles the
// standard library for itself: minutes on a small machine, hence the flag.
func TestReleaseTargetsBuild(t *testing.T) {
	if os.Getenv("SIM_RELEASE_CHECK") == "" {
		t.Skip("SIM_RELEASE_CHECK=1 cross-compiles the release targets")
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil || len(cfg.Builds) != 1 {
		t.Fatalf("%v; %d builds", err, len(cfg.Builds))
	}
	b := cfg.Builds[0]
	for _, goos := range b.GOOS {
		for _, goarch := range b.GOARCH {
			cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s/%s: %v\n%s", goos, goarch, err, out)
			}
		}
	}
}

// TestCIWorkflow: GitHub's CI runs the one entry point every machine runs,
// .ci/run, on Ubuntu with the Go go.mod names and its caches.
func TestCIWorkflow(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github/workflows/ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			RunsOn string `yaml:"runs-on"`
			Steps  []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.Jobs) == 0 {
		t.Fatal("no jobs")
	}
	for name, job := range wf.Jobs {
		if !strings.HasPrefix(job.RunsOn, "ubuntu-") {
			t.Errorf("job %s runs on %q, want an ubuntu runner (.ci/run installs with apt-get)", name, job.RunsOn)
		}
		var goFromMod, runsCI bool
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "actions/setup-go@") {
				goFromMod = s.With["go-version-file"] == "go.mod" && s.With["cache"] == "true"
			}
			runsCI = runsCI || strings.TrimSpace(s.Run) == ".ci/run"
		}
		if !goFromMod {
			t.Errorf("job %s: want actions/setup-go with go-version-file: go.mod and cache: true", name)
		}
		if !runsCI {
			t.Errorf("job %s: no step runs .ci/run", name)
		}
	}
	if _, err := os.Stat(filepath.Join(repoRoot, ".ci/run")); err != nil {
		t.Error(err)
	}
}
