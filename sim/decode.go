// The decoder: scenario YAML (a file, or a trace header's scenario block)
// to a validated Scenario with its defaults applied, every problem named by
// file, line and field path.

package sim

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/policies/retry"
	"gopkg.in/yaml.v3"
)

func fmtHours(d time.Duration) string { return strconv.FormatInt(int64(d/time.Hour), 10) + "h" }

// LoadScenario reads and validates a scenario file. Unknown fields and bad
// values are errors naming the file, line and field; several are reported
// together.
func LoadScenario(file string) (*Scenario, error) {
	data, err := input.ReadFile(file)
	if err != nil {
		return nil, &diag.Error{File: file, Msg: "cannot read scenario: " + input.ErrText(err)}
	}
	return ParseScenario(file, data)
}

// ParseScenario validates scenario YAML read from file.
func ParseScenario(file string, data []byte) (*Scenario, error) {
	if sc, err, ok := parseLongFaults(file, data); ok {
		return sc, err
	}
	return parseWhole(file, data)
}

// parseWhole parses the scenario as one YAML node tree.
func parseWhole(file string, data []byte) (*Scenario, error) {
	docs, err := ynode.Documents(file, data)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, &diag.Error{File: file, Line: 1, Msg: "empty scenario: want a mapping with version, duration and apps"}
	}
	if len(docs) > 1 {
		return nil, ynode.Errorf(file, docs[1], "", "a scenario is one YAML document, found %d", len(docs))
	}
	d := &decoder{file: file}
	sc := d.scenario(docs[0])
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	sc.File = file
	return sc, nil
}

type decoder struct {
	file string
	errs diag.List
}

func (d *decoder) fail(err error) {
	if err != nil {
		d.errs = append(d.errs, diag.In(d.file, err))
	}
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	d.errs = append(d.errs, ynode.Errorf(d.file, n, field, format, args...))
}

// fields walks a mapping, calling the handler of each known key and reporting
// every unknown one (with the nearest known key when it looks like a typo).
func (d *decoder) fields(n *yaml.Node, path string, handlers map[string]func(string, *yaml.Node)) map[string]*yaml.Node {
	pairs, err := ynode.Pairs(d.file, path, n)
	if err != nil {
		d.fail(err)
		return nil
	}
	seen := map[string]*yaml.Node{}
	for _, p := range pairs {
		field := ynode.Join(path, p.Key)
		if _, dup := seen[p.Key]; dup {
			d.errorf(p.KeyN, field, "given twice")
			continue
		}
		seen[p.Key] = p.Value
		h, ok := handlers[p.Key]
		if !ok {
			known := make([]string, 0, len(handlers))
			for k := range handlers {
				known = append(known, k)
			}
			sort.Strings(known)
			msg := "unknown field"
			if h := diag.Suggest(p.Key, known); h != "" {
				msg += h
			} else {
				msg += " (known: " + strings.Join(known, ", ") + ")"
			}
			d.errorf(p.KeyN, field, "%s", msg)
			continue
		}
		h(field, p.Value)
	}
	return seen
}

func (d *decoder) duration(dst *time.Duration) func(string, *yaml.Node) {
	return func(field string, n *yaml.Node) {
		v, err := ynode.Duration(d.file, field, n)
		if err != nil {
			d.fail(err)
			return
		}
		if v < 0 {
			d.errorf(n, field, "want a duration of 0 or more, got %q", n.Value)
			return
		}
		*dst = v
	}
}

func (d *decoder) str(dst *string) func(string, *yaml.Node) {
	return func(field string, n *yaml.Node) {
		v, err := ynode.Scalar(d.file, field, n)
		if err != nil {
			d.fail(err)
			return
		}
		*dst = v
	}
}

func (d *decoder) scenario(root *yaml.Node) *Scenario {
	sc := &Scenario{Overhead: DefaultOverhead, Line: root.Line}
	var versionN, durationN, appsN *yaml.Node
	seen := d.fields(root, "", map[string]func(string, *yaml.Node){
		"version": func(f string, n *yaml.Node) {
			versionN = n
			v, err := ynode.Int(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			if v != 1 {
				d.errorf(n, f, "this sim reads scenario version 1, got %d", v)
			}
			sc.Version = int(v)
		},
		"name": d.str(&sc.Name),
		"dapr": func(f string, n *yaml.Node) { sc.DaprLine = n.Line; d.str(&sc.Dapr)(f, n) },
		"seed": func(f string, n *yaml.Node) { v, err := ynode.Int(d.file, f, n); d.fail(err); sc.Seed = v },
		"duration": func(f string, n *yaml.Node) {
			before := len(d.errs)
			d.duration(&sc.Duration)(f, n)
			if len(d.errs) == before {
				durationN = n
			} else {
				durationN = &yaml.Node{} // reported already
				sc.Duration = time.Nanosecond
			}
		},
		"overhead":      d.duration(&sc.Overhead),
		"resourcesPath": func(f string, n *yaml.Node) { sc.ResourcesLine = n.Line; d.str(&sc.ResourcesPath)(f, n) },
		"resiliency":    func(f string, n *yaml.Node) { sc.ResourcesLine = n.Line; d.str(&sc.Resiliency)(f, n) },
		"apps":          func(f string, n *yaml.Node) { appsN = n; sc.AppsLine = n.Line; sc.Apps = d.apps(f, n) },
		"stores":        func(f string, n *yaml.Node) { sc.Stores = d.stores(f, n) },
		"faults":        func(f string, n *yaml.Node) { sc.Faults, sc.Windows = d.faults(f, n) },
		"overrides":     func(f string, n *yaml.Node) { sc.Overrides = d.overrides(f, n) },
		// Assertions only matter to `sim check`, which parses them; a run
		// ignores them, so a scenario runs whatever its expect block says.
		"expect": func(_ string, n *yaml.Node) { sc.Expect = n },
	})
	if seen == nil {
		return sc
	}
	if versionN == nil {
		d.errorf(root, "version", "required: add `version: 1`")
	}
	if durationN == nil {
		d.errorf(root, "duration", "required: every run needs a horizon, e.g. `duration: 60s`")
	} else if sc.Duration <= 0 {
		d.errorf(durationN, "duration", "want a horizon above 0s, got %q", durationN.Value)
	} else if sc.Duration > MaxHorizon {
		d.errorf(durationN, "duration", "want a horizon of at most %s (a year of virtual time), got %q: a longer run would spend any event budget long before its end; simulate a shorter span", fmtHours(MaxHorizon), durationN.Value)
	}
	if sc.ResourcesPath != "" && sc.Resiliency != "" {
		d.errorf(seen["resiliency"], "resiliency", "give resourcesPath or resiliency, not both")
	}
	if appsN == nil {
		d.errorf(root, "apps", "required: at least one app loop")
	}
	return sc
}

func (d *decoder) apps(path string, n *yaml.Node) []App {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, path, "want a list of at least one app, got %s", describeList(n))
		return nil
	}
	apps := make([]App, 0, len(n.Content))
	for i, an := range n.Content {
		field := fmt.Sprintf("%s[%d]", path, i)
		a := App{Workers: 1, Line: an.Line}
		var pauseN, everyN, idN, stepsN, latencyN *yaml.Node
		seen := d.fields(an, field, map[string]func(string, *yaml.Node){
			"id":      func(f string, n *yaml.Node) { idN = n; d.str(&a.ID)(f, n) },
			"latency": func(f string, n *yaml.Node) { latencyN = n; d.duration(&a.Latency)(f, n) },
			"actors": func(f string, n *yaml.Node) {
				if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
					d.errorf(n, f, "want a list of actor types such as [Cart], got %s", describeList(n))
					return
				}
				for j, tn := range n.Content {
					v, err := ynode.Scalar(d.file, fmt.Sprintf("%s[%d]", f, j), tn)
					if err != nil {
						d.fail(err)
						continue
					}
					a.Actors = append(a.Actors, v)
				}
			},
			"start":        d.duration(&a.Start),
			"pause":        func(f string, n *yaml.Node) { pauseN = n; d.duration(&a.Pause)(f, n) },
			"every":        func(f string, n *yaml.Node) { everyN = n; d.duration(&a.Every)(f, n) },
			"workerOffset": d.duration(&a.WorkerOffset),
			"iterations": func(f string, n *yaml.Node) {
				v, err := ynode.Int(d.file, f, n)
				if err != nil {
					d.fail(err)
					return
				}
				if v < 0 {
					d.errorf(n, f, "want 0 (no bound) or more, got %d", v)
				}
				a.Iterations = int(v)
			},
			"workers": func(f string, n *yaml.Node) {
				v, err := ynode.Int(d.file, f, n)
				if err != nil {
					d.fail(err)
					return
				}
				if v < 1 || v > 10000 {
					d.errorf(n, f, "want 1 to 10000 workers, got %d", v)
				}
				a.Workers = int(v)
			},
			"onError": func(f string, n *yaml.Node) {
				v, err := ynode.Scalar(d.file, f, n)
				if err != nil {
					d.fail(err)
					return
				}
				for i, name := range onErrorNames {
					if v == name {
						a.OnError = OnError(i)
						return
					}
				}
				d.errorf(n, f, "want continue, skip or stop, got %q", v)
			},
			"steps": func(f string, n *yaml.Node) { stepsN = n; a.Steps = d.steps(f, n) },
		})
		if seen == nil {
			continue
		}
		if idN == nil || a.ID == "" {
			d.errorf(an, field+".id", "required: the sidecar's app id (scopes match it)")
		}
		if stepsN == nil {
			// A called app: it answers invocations and runs no loop.
			if latencyN == nil {
				a.Latency = DefaultStoreLatency
			}
			for _, k := range []string{"start", "pause", "every", "iterations", "workers", "workerOffset", "onError"} {
				if kn, ok := seen[k]; ok {
					d.errorf(kn, field+"."+k, "belongs to an app loop, and this app has no steps (an app without steps only answers invocations)")
				}
			}
		} else if latencyN != nil {
			d.errorf(latencyN, field+".latency", "is how long a called app (one without steps) takes to answer; give latency on the steps of a loop instead")
		} else if kn, ok := seen["actors"]; ok {
			d.errorf(kn, field+".actors", "only a called app (one without steps) hosts actors in this sim")
		}
		if pauseN != nil && everyN != nil {
			d.errorf(everyN, field+".every", "give pause or every, not both")
		}
		apps = append(apps, a)
	}
	return apps
}

func (d *decoder) steps(path string, n *yaml.Node) []Step {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, path, "want a list of at least one step, got %s", describeList(n))
		return nil
	}
	steps := make([]Step, 0, len(n.Content))
	for i, sn := range n.Content {
		field := fmt.Sprintf("%s[%d]", path, i)
		s := Step{Key: DefaultKey, Value: DefaultValue, Line: sn.Line}
		ops := 0
		op := func(k OpKind) func(string, *yaml.Node) {
			return func(f string, n *yaml.Node) {
				ops++
				s.Op = k
				d.str(&s.Target)(f, n)
			}
		}
		seen := d.fields(sn, field, map[string]func(string, *yaml.Node){
			"save":   op(Save),
			"get":    op(Get),
			"delete": op(Delete),
			"invoke": func(f string, n *yaml.Node) {
				ops++
				s.Op = Invoke
				d.fields(n, f, map[string]func(string, *yaml.Node){
					"app":    d.str(&s.Target),
					"method": d.str(&s.Method),
				})
				if s.Method == "" {
					d.errorf(n, f+".method", "required: the method to invoke, e.g. orders")
				}
			},
			"actor": func(f string, n *yaml.Node) {
				ops++
				s.Op = Actor
				s.ActorID = ""
				d.fields(n, f, map[string]func(string, *yaml.Node){
					"type":   d.str(&s.Target),
					"id":     d.str(&s.ActorID),
					"method": d.str(&s.Method),
				})
				if s.ActorID == "" {
					d.errorf(n, f+".id", "required: the actor id, e.g. \"{i}\"")
				}
				if s.Method == "" {
					d.errorf(n, f+".method", "required: the actor method to call")
				}
			},
			"key":   d.str(&s.Key),
			"value": d.str(&s.Value),
			"log":   d.str(&s.Log),
			"latency": func(f string, n *yaml.Node) {
				var v time.Duration
				d.duration(&v)(f, n)
				s.Latency = &v
			},
		})
		if seen == nil {
			continue
		}
		if ops != 1 {
			d.errorf(sn, field, "want exactly one of save, get, delete, invoke, actor, got %d", ops)
		} else if s.Target == "" && s.Op == Actor {
			d.errorf(sn, field+".actor.type", "want the actor type")
		} else if s.Target == "" && s.Op == Invoke {
			d.errorf(sn, field+".invoke.app", "want the id of the app to call")
		} else if s.Target == "" {
			d.errorf(sn, field+"."+s.Op.String(), "want the name of a state store")
		}
		steps = append(steps, s)
	}
	return steps
}

func (d *decoder) stores(path string, n *yaml.Node) []Store {
	pairs, err := ynode.Pairs(d.file, path, n)
	if err != nil {
		d.fail(err)
		return nil
	}
	stores := make([]Store, 0, len(pairs))
	seen := map[string]bool{}
	for _, p := range pairs {
		field := ynode.Join(path, p.Key)
		if p.Key == "" {
			d.errorf(p.KeyN, path, "a store needs a name")
			continue
		}
		if seen[p.Key] {
			d.errorf(p.KeyN, field, "given twice")
			continue
		}
		seen[p.Key] = true
		s := Store{Name: p.Key, Latency: DefaultStoreLatency, Line: p.KeyN.Line}
		d.fields(p.Value, field, map[string]func(string, *yaml.Node){
			"latency": d.duration(&s.Latency),
		})
		stores = append(stores, s)
	}
	sort.Slice(stores, func(i, j int) bool { return stores[i].Name < stores[j].Name })
	return stores
}

func (d *decoder) faults(path string, n *yaml.Node) ([]Fault, []Window) {
	if ynode.IsNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "want a list of faults, got %s", ynode.Describe(n))
		return nil, nil
	}
	var faults []Fault
	var windows []Window
	if len(n.Content) > 16 {
		windows = make([]Window, 0, len(n.Content)) // most long lists are windows: no regrowth
	}
	d.faultItems(path, n, 0, &faults, &windows)
	// Stable by time: changes at one instant keep file order.
	sort.SliceStable(faults, func(i, j int) bool { return faults[i].At < faults[j].At })
	return faults, slices.Clip(windows)
}

// faultItems decodes the items of a faults list, the first being faults[base],
// appending them to faults and windows.
func (d *decoder) faultItems(path string, n *yaml.Node, base int, faults *[]Fault, windows *[]Window) {
	for j, fn := range n.Content {
		i := base + j
		// Each fault's nodes are dropped once it is decoded, so a long list
		// of windows is not held twice, as nodes and as windows.
		n.Content[j] = nil
		field := fmt.Sprintf("%s[%d]", path, i)
		f := Fault{Line: fn.Line}
		w := Window{Line: fn.Line, Index: i}
		var atN, fromN, toN, periodN *yaml.Node // where each was given, for errors
		nonNeg := func(dst *time.Duration, keep **yaml.Node) func(string, *yaml.Node) {
			return func(fl string, n *yaml.Node) {
				*keep = n
				d.duration(dst)(fl, n)
			}
		}
		seen := d.fields(fn, field, map[string]func(string, *yaml.Node){
			"at":     nonNeg(&f.At, &atN),
			"stop":   d.str(&f.Stop),
			"start":  d.str(&f.Start),
			"target": d.str(&w.Target),
			"from":   nonNeg(&w.From, &fromN),
			"to": func(fl string, n *yaml.Node) {
				toN = n
				w.HasTo = true
				d.duration(&w.To)(fl, n)
			},
			"latency": func(fl string, n *yaml.Node) {
				var v time.Duration
				d.duration(&v)(fl, n)
				w.Latency = &v
			},
			"error": d.str(&w.Error),
			"conn": func(fl string, n *yaml.Node) {
				v, err := ynode.Scalar(d.file, fl, n)
				if err != nil {
					d.fail(err)
					return
				}
				c, ok := parseConn(v)
				if !ok {
					d.errorf(n, fl, "want refused, noAnswer or hang, got %q", v)
					return
				}
				w.Conn = c
			},
			"errorRate": func(fl string, n *yaml.Node) {
				v, err := ynode.Float(d.file, fl, n)
				if err != nil {
					d.fail(err)
					return
				}
				if v <= 0 || v > 1 {
					d.errorf(n, fl, "want a probability above 0 and at most 1, got %s", n.Value)
				}
				w.ErrorRate = v
			},
			"failEvery": func(fl string, n *yaml.Node) {
				v, err := ynode.Int(d.file, fl, n)
				if err != nil {
					d.fail(err)
					return
				}
				if v < 1 || v > 1<<31 {
					d.errorf(n, fl, "want a whole number of 1 or more, got %d", v)
				}
				w.FailEvery = int(v)
			},
			"status": func(fl string, n *yaml.Node) {
				v, err := ynode.Int(d.file, fl, n)
				if err != nil {
					d.fail(err)
					return
				}
				if v < 100 || v > 599 || (v >= 200 && v <= 399) {
					d.errorf(n, fl, "want an HTTP error status (100-199 or 400-599), got %d", v)
					return
				}
				w.Status = int32(v)
			},
			"period":  nonNeg(&w.Period, &periodN),
			"downFor": d.duration(&w.DownFor),
			"ops": func(fl string, n *yaml.Node) {
				if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
					d.errorf(n, fl, "want a list of operations such as [get], got %s", describeList(n))
					return
				}
				for j, on := range n.Content {
					v, err := ynode.Scalar(d.file, fmt.Sprintf("%s[%d]", fl, j), on)
					if err != nil {
						d.fail(err)
						continue
					}
					k, ok := parseOp(v)
					if !ok {
						d.errorf(on, fmt.Sprintf("%s[%d]", fl, j), "want save, get or delete, got %q", v)
						continue
					}
					w.Ops = append(w.Ops, k)
				}
			},
		})
		if seen == nil {
			continue
		}
		if _, isWindow := seen["target"]; !isWindow {
			for _, k := range []string{"from", "to", "latency", "error", "conn", "errorRate", "failEvery", "period", "downFor", "ops"} {
				if kn, ok := seen[k]; ok {
					d.errorf(kn, field+"."+k, "belongs to a window: add target (and from/to), or script a change with at and stop/start")
				}
			}
			if atN == nil {
				d.errorf(fn, field+".at", "required: when the change happens, e.g. `at: 6s`")
			}
			if (f.Stop == "") == (f.Start == "") {
				d.errorf(fn, field, "want exactly one of stop or start")
			}
			*faults = append(*faults, f)
			continue
		}
		for _, k := range []string{"at", "stop", "start"} {
			if kn, ok := seen[k]; ok {
				d.errorf(kn, field+"."+k, "a window (with target) runs from/to; at, stop and start script a change of their own")
			}
		}
		if w.Target == "" {
			d.errorf(fn, field+".target", "want the name of a state store")
		}
		if w.HasTo && toN != nil && w.To <= w.From {
			d.errorf(toN, field+".to", "want a time after from (%s), got %q", w.From, toN.Value)
		}
		modes := 0
		if w.ErrorRate > 0 {
			modes++
		}
		if w.FailEvery > 0 {
			modes++
		}
		if w.Period > 0 || w.DownFor > 0 {
			modes++
			if w.Period <= 0 {
				d.errorf(fn, field+".period", "required with downFor: the length of one down-and-up cycle")
			} else if w.DownFor <= 0 || w.DownFor >= w.Period {
				d.errorf(periodN, field+".downFor", "want a duration above 0s and below period (%s)", w.Period)
			}
		}
		if w.Conn != 0 {
			modes++
			if w.Error != "" {
				d.errorf(seen["error"], field+".error", "a conn fault has its own error (the client's); drop error or conn")
			}
		}
		if modes > 1 {
			d.errorf(fn, field, "give one of conn, errorRate, failEvery or period/downFor: a window fails attempts one way")
		}
		given := false // a mode key with a bad value is reported already
		for _, k := range []string{"latency", "error", "conn", "errorRate", "failEvery", "period", "downFor"} {
			_, ok := seen[k]
			given = given || ok
		}
		if modes == 0 && w.Latency == nil && w.Error == "" && !given {
			d.errorf(fn, field, "a window needs latency, error, conn, errorRate, failEvery or period/downFor")
		}
		if fromN == nil && w.HasTo {
			// from defaults to 0s: the window holds from the start.
			fromN = fn
		}
		*windows = append(*windows, w)
	}
	n.Content = nil
}

func parseOp(s string) (OpKind, bool) {
	for i, n := range opNames {
		if s == n {
			return OpKind(i), true
		}
	}
	return 0, false
}

func (d *decoder) overrides(path string, n *yaml.Node) []Override {
	var out []Override
	d.fields(n, path, map[string]func(string, *yaml.Node){
		"retries": func(f string, n *yaml.Node) {
			pairs, err := ynode.Pairs(d.file, f, n)
			if err != nil {
				d.fail(err)
				return
			}
			for _, p := range pairs {
				o := Override{Policy: p.Key, Line: p.KeyN.Line}
				field := ynode.Join(f, p.Key)
				dur := func(dst **time.Duration) func(string, *yaml.Node) {
					return func(fl string, n *yaml.Node) {
						var v time.Duration
						d.duration(&v)(fl, n)
						*dst = &v
					}
				}
				num := func(dst **float64, check func(float64, string) error) func(string, *yaml.Node) {
					return func(fl string, n *yaml.Node) {
						v, err := ynode.Float(d.file, fl, n)
						if err != nil {
							d.fail(err)
							return
						}
						if err := check(v, n.Value); err != nil {
							d.errorf(n, fl, "%s", err.Error())
							return
						}
						*dst = &v
					}
				}
				d.fields(p.Value, field, map[string]func(string, *yaml.Node){
					"initialInterval":     dur(&o.InitialInterval),
					"multiplier":          num(&o.Multiplier, retry.CheckMultiplier),
					"randomizationFactor": num(&o.RandomizationFactor, retry.CheckRandomizationFactor),
					"maxElapsedTime":      dur(&o.MaxElapsedTime),
				})
				out = append(out, o)
			}
		},
	})
	return out
}

func describeList(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		return "an empty list"
	}
	return ynode.Describe(n)
}
