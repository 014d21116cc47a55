package policies

import (
	"errors"
	"fmt"
	"io/fs"
	slashpath "path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/retry"
	"gopkg.in/yaml.v3"
)

// Load reads Dapr resources from paths (files, or folders like
// --resources-path, whose files are read in name order as Dapr does) and
// builds the Spec the sidecar of appID would run with under profile p.
//
// In a folder, sub-folders and files not ending in .yaml or .yml are skipped
// with a warning (Dapr logs "A non-YAML resiliency file … was detected").
// A file named directly is read whatever its extension. Configuration
// resources are looked for in the same paths (Dapr reads its Configuration
// from --config; sim lets it sit with the resources).
//
// Errors from every file are reported together as a diag.List.
func Load(paths []string, appID string, p Profile) (*Spec, []diag.Warning, error) {
	return LoadEdited(paths, appID, p, nil)
}

// ReadFiles reads and parses the Dapr resources in paths the way Load does
// (files, or folders read like --resources-path) without building a Spec.
// It returns every file that parsed, even when others did not, so a checker
// can report on the rest; err is a diag.List of every problem found.
func ReadFiles(paths []string) ([]*File, []diag.Warning, error) {
	return readFiles(paths, nil)
}

func readFiles(paths []string, edits []Edit) ([]*File, []diag.Warning, error) {
	return ReadSources(paths).parse(edits)
}

// Sources are the resource files of some paths as read at one moment: what
// Load parses, held so that several loads (a sweep's runs, each with its
// own edits) read the same bytes however the files change meanwhile. Each
// file is parsed once, by the first load, and its documents are shared by
// every load after it, which lay their edits over copies; loads may run
// concurrently.
type Sources struct {
	files []source
	warns []diag.Warning

	// parsed holds each file's documents, made by the first load.
	parsedOnce sync.Once
	parsed     []parsedSource
}

// source is one file read, or the problem reading a path, in path order.
type source struct {
	name string
	data []byte
	err  *diag.Error
}

// parsedSource is a source's YAML documents and the warnings their tags
// drew, parsed once.
type parsedSource struct {
	once     sync.Once
	ok       bool // docs and tagWarns hold the file parsed
	docs     []*yaml.Node
	tagWarns []diag.Warning
}

// documents returns the documents of s.files[i], parsed on the first call.
// A file that does not parse is parsed again each time: the errors a load
// returns are its own to blame on an edit or add context to.
func (s *Sources) documents(i int) ([]*yaml.Node, []diag.Warning, error) {
	s.parsedOnce.Do(func() { s.parsed = make([]parsedSource, len(s.files)) })
	src, p := &s.files[i], &s.parsed[i]
	p.once.Do(func() {
		docs, warns, err := ynode.Resources(src.name, src.data)
		if err == nil {
			p.ok, p.docs, p.tagWarns = true, docs, warns
		}
	})
	if !p.ok {
		return ynode.Resources(src.name, src.data)
	}
	return p.docs, p.tagWarns, nil
}

// MaxFolderFiles is the most YAML files ReadSources reads from one
// folder; each file may hold up to input.MaxSize bytes.
const MaxFolderFiles = 1000

// ReadSources reads paths as Load does — a file, or the YAML files of a
// folder in name order — keeping problems and warnings for every Load of
// them to report.
func ReadSources(paths []string) *Sources { return ReadSourcesFS(nil, paths) }

// ReadSourcesFS is ReadSources reading paths, slash-separated names, in
// fsys (nil: the operating system's files): the browser playground's
// resources live in memory.
func ReadSourcesFS(fsys fs.FS, paths []string) *Sources {
	files := input.FS(fsys)
	join := filepath.Join
	if fsys != nil {
		join = slashpath.Join // fs.FS names are slash-separated on every platform
	}
	s := &Sources{}
	read := func(name string) {
		data, err := files.ReadFile(name)
		if err != nil {
			s.files = append(s.files, source{name: name, err: &diag.Error{File: name, Msg: "cannot read: " + input.ErrText(err)}})
			return
		}
		s.files = append(s.files, source{name: name, data: data})
	}
	for _, path := range paths {
		if path == input.Stdin && fsys == nil {
			// Standard input is one file, never a folder.
			read(path)
			continue
		}
		info, err := files.Stat(path)
		if err != nil {
			s.files = append(s.files, source{name: path, err: &diag.Error{File: path, Msg: "cannot read: " + input.ErrText(err)}})
			continue
		}
		if !info.IsDir() {
			read(path)
			continue
		}
		entries, err := files.ReadDir(path) // sorted by file name
		if err != nil {
			s.files = append(s.files, source{name: path, err: &diag.Error{File: path, Msg: "cannot read: " + input.ErrText(err)}})
			continue
		}
		yamls := 0
		for _, e := range entries {
			if !e.IsDir() && isYAMLName(e.Name()) {
				yamls++
			}
		}
		if yamls > MaxFolderFiles {
			s.files = append(s.files, source{name: path, err: &diag.Error{File: path, Msg: fmt.Sprintf("cannot read: %d YAML files, more than %d, the limit for a resources folder", yamls, MaxFolderFiles)}})
			continue
		}
		for _, e := range entries {
			name := join(path, e.Name())
			switch {
			case e.IsDir():
				s.warns = append(s.warns, diag.Warnf(name, 0, 0, "", "a folder: Dapr does not read sub-folders of a resources path").WithID("subfolder"))
			case !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0:
				// A pipe, socket or device would block or never end a read.
				s.warns = append(s.warns, diag.Warnf(name, 0, 0, "", "not a regular file: skipped").WithID("not-yaml"))
			case !isYAMLName(e.Name()):
				s.warns = append(s.warns, diag.Warnf(name, 0, 0, "", "not a .yaml or .yml file: Dapr does not load it").WithID("not-yaml"))
			default:
				read(name)
			}
		}
	}
	return s
}

// parse reads every source (edits change copies of the parsed nodes,
// never the bytes nor the nodes other loads read): the files that parsed,
// and every problem.
func (s *Sources) parse(edits []Edit) ([]*File, []diag.Warning, error) {
	files := make([]*File, 0, len(s.files))
	warns := slices.Clone(s.warns)
	var errs diag.List
	for i, src := range s.files {
		if src.err != nil {
			e := *src.err // each load's problems are its own to blame or edit
			errs = append(errs, &e)
			continue
		}
		var f *File
		var ws []diag.Warning
		docs, tagWarns, err := s.documents(i)
		if err == nil {
			f, ws, err = walkFile(src.name, docs, tagWarns, edits)
		}
		warns = append(warns, ws...)
		if err != nil {
			var l diag.List
			var e *diag.Error
			switch {
			case errors.As(err, &l):
				errs = append(errs, l...)
			case errors.As(err, &e):
				errs = append(errs, e)
			default:
				errs = append(errs, &diag.Error{File: src.name, Msg: err.Error()})
			}
			continue
		}
		files = append(files, f)
	}
	diag.SortWarnings(warns)
	return files, warns, errs.Err()
}

func isYAMLName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// defaultName matches the names of Dapr's default policies (1.9+).
var defaultName = regexp.MustCompile(`^Default[A-Za-z]*(Retry|Timeout|CircuitBreaker)Policy$`)

// Build merges parsed files into the Spec the sidecar of appID runs with
// under profile p, the way Dapr's FromConfigurations does: built-in policies
// first, then each Resiliency kept by its scopes, in order, later ones
// overwriting policies and targets of the same name. It performs no I/O.
func Build(files []*File, appID string, p Profile) (*Spec, []diag.Warning, error) {
	if p.minor == 0 {
		v := p.Version
		if v == "" {
			v = Newest
		}
		var err error
		if p, err = ProfileFor(v); err != nil {
			return nil, nil, err
		}
	}
	b := &builder{s: newSpec(p, appID)}
	var res []*Resiliency
	var confs []Configuration
	for _, f := range files {
		for _, c := range f.Components {
			b.component(c)
		}
		res = append(res, f.Resiliencies...)
		confs = append(confs, f.Configurations...)
		for _, sub := range f.Subscriptions {
			// Dapr keeps a Subscription whose scopes name the app, or that
			// has none, matched exactly (scopeFilterSubscriptions).
			if len(sub.Scopes) == 0 || slices.Contains(sub.Scopes, appID) {
				b.s.Subscriptions = append(b.s.Subscriptions, sub)
			}
		}
	}
	if p.NeedsFeatureFlag && !featureEnabled(confs, "Resiliency") {
		for _, r := range res {
			b.warnAt("feature-flag", r.File, r.Line, "", "Dapr %s loads Resiliency only when a Configuration enables the preview feature \"Resiliency\" (spec.features: [{name: Resiliency, enabled: true}]); none does, so no policy applies, not even the built-ins%s", p.Version, featureHint(confs))
		}
		return b.s, b.warns, b.errs.Err()
	}
	b.s.Enabled = true
	b.s.addBuiltIns()
	for _, r := range res {
		if !inScope(r.Scopes, appID) {
			b.warnAt("scoped-out", r.File, r.ScopesLine, "scopes", "resource %q applies only to %s, not to app %q: Dapr ignores the whole resource for this app%s", r.Name, quoteList(r.Scopes), appID, scopeHint(r.Scopes, appID))
			continue
		}
		b.apply(r)
	}
	b.checkRefs()
	return b.s, b.warns, b.errs.Err()
}

type builder struct {
	s     *Spec
	warns []diag.Warning
	// errs are values Dapr rejects when it initializes a component (its
	// metadata); the Spec is still built, for lint to go on.
	errs diag.List
	// sites remembers where each final target entry was written, to report
	// policy names that do not exist once every resource is merged.
	sites map[string]refSite
}

type refSite struct {
	file, path string
	refs       Refs
	component  bool
}

// warnAt records a warning of kind id (see LintChecks).
func (b *builder) warnAt(id, file string, line int, field, format string, args ...any) {
	b.warns = append(b.warns, diag.Warnf(file, line, 0, field, format, args...).WithID(id))
}

func (b *builder) component(c Component) {
	p := b.s.Profile
	if c.Name == "" {
		return
	}
	if c.APIVersion != APIVersion {
		if p.ComponentAPIVersionChecked {
			b.warnAt("component-api-version", c.File, c.Line, "apiVersion", "want %q, got %q: Dapr %s skips this Component", APIVersion, c.APIVersion, p.Version)
			return
		}
		b.warnAt("component-api-version", c.File, c.Line, "apiVersion", "want %q, got %q: Dapr %s checks only the kind and loads it, Dapr 1.14 and later skip it", APIVersion, c.APIVersion, p.Version)
	}
	if old, ok := b.s.Components[c.Name]; ok && old != c.Type {
		b.warnAt("component-redefined", c.File, c.Line, "metadata.name", "component %q is defined again (was %s): the later definition is used", c.Name, old)
	}
	b.s.Components[c.Name] = c.Type
	b.clientOf(c)
	b.bindingOf(c)
}

// clientOf reads the metadata of component c, whose client sim may model,
// into Spec.Clients, and a pubsub.redis's into Spec.Pubsubs (each only
// where it differs from the defaults, so a spec without such metadata dumps
// as before). A value the component's Init rejects is an error that says
// what daprd does with it.
func (b *builder) clientOf(c Component) {
	delete(b.s.Clients, c.Name)
	delete(b.s.Pubsubs, c.Name)
	if !client.Modelled(c.Type) {
		return
	}
	props := make([]client.Property, len(c.Metadata))
	for i, m := range c.Metadata {
		props[i] = client.Property{Name: m.Name, Value: m.Value, Unresolved: m.Unresolved}
		if m.NotScalar != "" {
			// daprd hands the component the value's JSON text, which no
			// typed key decodes; for a text key it is that text.
			props[i].Value = "{" + m.NotScalar + "}"
		}
	}
	p := b.s.Profile
	var st client.Settings
	var problems []client.Problem
	if c.Type == client.PubsubType {
		var ps client.Pubsub
		st, ps, problems = client.PubsubFromMetadata(p.minor, b.s.AppID, props)
		if ps != client.DefaultPubsub(b.s.AppID) {
			if b.s.Pubsubs == nil {
				b.s.Pubsubs = map[string]client.Pubsub{}
			}
			b.s.Pubsubs[c.Name] = ps
		}
	} else {
		st, problems, _ = client.FromMetadata(p.minor, c.Type, props)
	}
	daprd := "so daprd exits with a fatal error at start"
	if c.IgnoreErrors {
		daprd = "so daprd logs the error and goes on without the component (spec.ignoreErrors: true), which sim does not model"
	}
	for _, pr := range problems {
		m := c.Metadata[pr.Prop]
		if pr.Error {
			b.errs = append(b.errs, diag.Errorf(c.File, m.Line, 0, m.Field, "%s: %s: Dapr %s's %s fails to initialize (%s), %s", m.Name, pr.Msg, p.Version, c.Type, pr.Dapr, daprd))
			continue
		}
		b.warnAt(pr.ID, c.File, m.Line, m.Field, "%s: %s", m.Name, pr.Msg)
	}
	if def, _ := p.Client(c.Type); st != def {
		if b.s.Clients == nil {
			b.s.Clients = map[string]client.Settings{}
		}
		b.s.Clients[c.Name] = st
	}
}

// featureEnabled is Dapr's IsFeatureEnabled over every Configuration: the
// first entry with exactly that name decides.
func featureEnabled(confs []Configuration, name string) bool {
	for _, c := range confs {
		for _, f := range c.Features {
			if f.Name == name {
				if f.Enabled {
					return true
				}
				break
			}
		}
	}
	return false
}

func featureHint(confs []Configuration) string {
	for _, c := range confs {
		for _, f := range c.Features {
			if f.Name != "Resiliency" && strings.EqualFold(f.Name, "Resiliency") {
				return fmt.Sprintf(" (%s:%d names %q: feature names are case-sensitive)", c.File, f.Line, f.Name)
			}
			if f.Name == "Resiliency" && !f.Enabled {
				return fmt.Sprintf(" (%s:%d has it with enabled: false)", c.File, f.Line)
			}
		}
	}
	return ""
}

// inScope is Dapr's filterResiliencyConfigs: no scopes means every app,
// otherwise an exact, case-sensitive match.
func inScope(scopes []string, appID string) bool {
	if len(scopes) == 0 {
		return true
	}
	for _, s := range scopes {
		if s == appID {
			return true
		}
	}
	return false
}

func scopeHint(scopes []string, appID string) string {
	for _, s := range scopes {
		if strings.EqualFold(s, appID) {
			return fmt.Sprintf(" (%q differs only in case: scopes are case-sensitive)", s)
		}
	}
	return ""
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// apply merges one kept resource (resiliency.go DecodeConfiguration).
func (b *builder) apply(r *Resiliency) {
	s, p := b.s, b.s.Profile
	s.Resources = append(s.Resources, r.Name)
	for _, t := range r.Timeouts {
		b.checkDefaultName(r.File, t.Line, "spec.policies.timeouts."+t.Name, t.Name)
		s.Timeouts[t.Name] = t.Duration
	}
	for _, rs := range r.Retries {
		field := "spec.policies.retries." + rs.Name
		b.checkDefaultName(r.File, rs.Line, field, rs.Name)
		pol := retry.Default(rs.Name)
		if rs.Policy != nil {
			pol.Kind = *rs.Policy
		}
		if rs.Duration != nil {
			pol.Duration = *rs.Duration
		}
		if rs.MaxInterval != nil {
			pol.MaxInterval = *rs.MaxInterval
		}
		if rs.MaxRetries != nil {
			if *rs.MaxRetries == 0 && p.MaxRetriesZeroIsUnset {
				b.warnAt("max-retries-zero", r.File, rs.MaxRetriesLine, field+".maxRetries", "Dapr %s drops maxRetries: 0 (an omitempty int) and retries without limit (-1); from 1.10 it means no retries", p.Version)
			} else {
				pol.MaxRetries = *rs.MaxRetries
			}
		}
		if rs.MatchingLine != 0 { // negative: added by an edit (editLine)
			if p.RetryMatching {
				pol.Matching = rs.Matching
			} else {
				b.warnAt("matching-unknown", r.File, rs.MatchingLine, field+".matching", "Dapr %s does not know this key (it arrived in 1.15) and ignores it", p.Version)
			}
		}
		if rs.Name == BuiltInActorNotFoundRetries {
			b.warnAt("builtin-protected", r.File, rs.Line, field, "a protected built-in policy: Dapr ignores this override and keeps constant 1s, 5 retries")
			continue
		}
		if isBuiltIn(rs.Name) && pol.MaxRetries < 3 {
			b.warnAt("builtin-min-retries", r.File, rs.Line, field, "overrides a built-in policy with maxRetries %d: Dapr raises it to 3 (a built-in cannot retry fewer than 3 times or without limit)", pol.MaxRetries)
			pol.MaxRetries = 3
		}
		s.Retries[rs.Name] = pol
	}
	for _, bs := range r.CircuitBreakers {
		b.checkDefaultName(r.File, bs.Line, "spec.policies.circuitBreakers."+bs.Name, bs.Name)
		s.CircuitBreakers[bs.Name] = CircuitBreaker{Name: bs.Name, MaxRequests: bs.MaxRequests, Interval: bs.Interval, Timeout: bs.Timeout, Trip: bs.Trip}
	}
	if b.sites == nil {
		b.sites = map[string]refSite{}
	}
	for _, t := range r.Apps {
		s.Targets.Apps[t.Name] = AppPolicyNames{PolicyNames: names(t.Refs), CircuitBreakerCacheSize: t.CircuitBreakerCacheSize}
		b.sites["apps/"+t.Name] = refSite{file: r.File, path: "spec.targets.apps." + t.Name, refs: t.Refs}
	}
	for _, t := range r.Actors {
		pn := names(t.Refs)
		scope := t.CircuitBreakerScope
		if pn.CircuitBreaker == "" {
			scope = ""
		}
		s.Targets.Actors[t.Name] = ActorPolicyNames{PolicyNames: pn, CircuitBreakerScope: scope, CircuitBreakerCacheSize: t.CircuitBreakerCacheSize}
		b.sites["actors/"+t.Name] = refSite{file: r.File, path: "spec.targets.actors." + t.Name, refs: t.Refs}
	}
	for _, t := range r.Components {
		s.Targets.Components[t.Name] = ComponentPolicyNames{Inbound: names(t.Inbound), Outbound: names(t.Outbound)}
		path := "spec.targets.components." + t.Name
		b.sites["components/"+t.Name+"/inbound"] = refSite{file: r.File, path: path + ".inbound", refs: t.Inbound, component: true}
		b.sites["components/"+t.Name+"/outbound"] = refSite{file: r.File, path: path + ".outbound", refs: t.Outbound, component: true}
	}
}

func (b *builder) checkDefaultName(file string, line int, field, name string) {
	if !b.s.Profile.DefaultPolicies && defaultName.MatchString(name) {
		b.warnAt("default-before-1.9", file, line, field, "Dapr %s has no default policies (they arrived in 1.9): %s applies only where a target names it", b.s.Profile.Version, name)
	}
}

func names(r Refs) PolicyNames {
	return PolicyNames{Timeout: r.Timeout.Name, Retry: r.Retry.Name, CircuitBreaker: r.CircuitBreaker.Name}
}

// checkRefs reports target policy names that no kept resource defines. Dapr
// does not validate them: a missing timeout or retry is simply absent; a
// missing component breaker crashes the sidecar on the first request.
func (b *builder) checkRefs() {
	s := b.s
	for _, key := range sortedKeys(b.sites) {
		site := b.sites[key]
		if n := site.refs.Timeout; n.Name != "" {
			if _, ok := s.Timeouts[n.Name]; !ok {
				b.warnAt("missing-timeout", site.file, n.Line, site.path+".timeout", "no timeout policy named %q: Dapr applies no timeout here%s", n.Name, diag.SuggestKey(n.Name, s.Timeouts))
			}
		}
		if n := site.refs.Retry; n.Name != "" {
			if _, ok := s.Retries[n.Name]; !ok {
				b.warnAt("missing-retry", site.file, n.Line, site.path+".retry", "no retry policy named %q: Dapr makes a single attempt here%s", n.Name, diag.SuggestKey(n.Name, s.Retries))
			}
		}
		if n := site.refs.CircuitBreaker; n.Name != "" {
			if _, ok := s.CircuitBreakers[n.Name]; !ok {
				id, what := "missing-breaker", "Dapr uses no circuit breaker here"
				if site.component {
					id, what = "missing-breaker-crash", "Dapr dereferences a nil breaker and crashes on the first request to this component"
				}
				b.warnAt(id, site.file, n.Line, site.path+".circuitBreaker", "no circuit breaker named %q: %s%s", n.Name, what, diag.SuggestKey(n.Name, s.CircuitBreakers))
			}
		}
	}
}
