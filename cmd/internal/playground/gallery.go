package playground

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/dapr-sim/sim/sim"
)

// Example is one scenario of the examples gallery as the page carries it:
// its files by their names in the repository, which are the names errors
// quote, as `sim run examples/NAME/scenario.yaml` from the repository's
// root does.
type Example struct {
	Name       string            `json:"name"`       // the folder: quickstart
	Question   string            `json:"question"`   // what it answers, from examples/README.md
	Scenario   string            `json:"scenario"`   // examples/quickstart/scenario.yaml
	Resiliency string            `json:"resiliency"` // the one Resiliency file among Files
	Files      map[string]string `json:"files"`      // name → text: the scenario and every resource it names
}

// MaxDuration is the longest virtual run the page re-plays on every edit;
// a longer example (the virtual day) is left out of its gallery.
const MaxDuration = time.Hour

// galleryRow is a row of examples/README.md's table: | [name](name/) | question |.
var galleryRow = regexp.MustCompile(`(?m)^\| \[([a-z0-9-]+)\]\(([a-z0-9-]+)/\) \| (.+?) \|\s*$`)

var resiliencyKind = regexp.MustCompile(`(?m)^kind:\s*Resiliency\s*$`)

// Gallery reads the examples of examples/README.md's table from root (the
// repository), in the table's order, each with the files its scenario
// names. An example is left out, with the reason in skipped, when the page
// could not carry or re-play it: a run longer than MaxDuration, or not
// exactly one Resiliency file for the second editor.
func Gallery(root fs.FS) (examples []Example, skipped []string, err error) {
	index, err := fs.ReadFile(root, "examples/README.md")
	if err != nil {
		return nil, nil, err
	}
	for _, m := range galleryRow.FindAllStringSubmatch(string(index), -1) {
		name := m[1]
		ex := Example{Name: name, Question: m[3], Scenario: path.Join("examples", name, "scenario.yaml"), Files: map[string]string{}}
		sc, err := sim.LoadScenarioFS(root, ex.Scenario)
		if err != nil {
			return nil, nil, fmt.Errorf("gallery: %w", err)
		}
		if sc.Duration > MaxDuration {
			skipped = append(skipped, fmt.Sprintf("%s: a run of %s, longer than the %s the page re-plays on every edit", name, sc.Duration, MaxDuration))
			continue
		}
		if err := ex.read(root, ex.Scenario); err != nil {
			return nil, nil, err
		}
		var resiliency []string
		for _, p := range sc.ResourcePaths() {
			names := []string{p}
			if info, err := fs.Stat(root, p); err == nil && info.IsDir() {
				entries, err := fs.ReadDir(root, p)
				if err != nil {
					return nil, nil, fmt.Errorf("gallery: %w", err)
				}
				names = names[:0]
				for _, e := range entries {
					if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
						names = append(names, path.Join(p, e.Name()))
					}
				}
			}
			for _, n := range names {
				if err := ex.read(root, n); err != nil {
					return nil, nil, err
				}
				if resiliencyKind.MatchString(ex.Files[n]) {
					resiliency = append(resiliency, n)
				}
			}
		}
		if len(resiliency) != 1 {
			skipped = append(skipped, fmt.Sprintf("%s: %d Resiliency files, the page edits one", name, len(resiliency)))
			continue
		}
		ex.Resiliency = resiliency[0]
		examples = append(examples, ex)
	}
	if len(examples) == 0 {
		return nil, skipped, fmt.Errorf("gallery: no example in examples/README.md's table")
	}
	return examples, skipped, nil
}

func (ex *Example) read(root fs.FS, name string) error {
	b, err := fs.ReadFile(root, name)
	if err != nil {
		return fmt.Errorf("gallery: %w", err)
	}
	ex.Files[name] = string(b)
	return nil
}
