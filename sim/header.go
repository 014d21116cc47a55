package sim

import (
	"time"

	"github.com/dapr-sim/sim/traces"
)

// The trace header records the scenario as it was run, in the scenario
// file's own shape (so the header can be read back as a scenario): defaults
// applied, durations as Go duration strings, fields in a fixed order.
type scenarioDump struct {
	Version    int                  `yaml:"version"`
	Name       string               `yaml:"name"`
	Dapr       string               `yaml:"dapr"`
	Seed       int64                `yaml:"seed"`
	Duration   string               `yaml:"duration"`
	Overhead   string               `yaml:"overhead"`
	Resources  string               `yaml:"resourcesPath,omitempty"`
	Resiliency string               `yaml:"resiliency,omitempty"`
	Apps       []appDump            `yaml:"apps"`
	Stores     map[string]storeDump `yaml:"stores"`
	Faults     []faultDump          `yaml:"faults,omitempty"`
}

type appDump struct {
	ID           string     `yaml:"id"`
	Latency      string     `yaml:"latency,omitempty"`
	Actors       []string   `yaml:"actors,omitempty"`
	Start        string     `yaml:"start,omitempty"`
	Pause        string     `yaml:"pause,omitempty"`
	Every        string     `yaml:"every,omitempty"`
	Iterations   int        `yaml:"iterations,omitempty"`
	Workers      int        `yaml:"workers,omitempty"`
	WorkerOffset string     `yaml:"workerOffset,omitempty"`
	OnError      string     `yaml:"onError,omitempty"`
	Steps        []stepDump `yaml:"steps,omitempty"`
}

type stepDump struct {
	Save    string      `yaml:"save,omitempty"`
	Get     string      `yaml:"get,omitempty"`
	Delete  string      `yaml:"delete,omitempty"`
	Invoke  *invokeDump `yaml:"invoke,omitempty"`
	Actor   *actorDump  `yaml:"actor,omitempty"`
	Key     string      `yaml:"key,omitempty"`
	Value   string      `yaml:"value,omitempty"`
	Log     string      `yaml:"log,omitempty"`
	Latency string      `yaml:"latency,omitempty"`
}

type invokeDump struct {
	App    string `yaml:"app"`
	Method string `yaml:"method"`
}

type actorDump struct {
	Type   string `yaml:"type"`
	ID     string `yaml:"id"`
	Method string `yaml:"method"`
}

type storeDump struct {
	Latency string `yaml:"latency"`
}

type faultDump struct {
	At    string `yaml:"at"`
	Stop  string `yaml:"stop,omitempty"`
	Start string `yaml:"start,omitempty"`
}

func durText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// Header is the trace header of this setup: enough to run it again.
func (s *Setup) Header() traces.Header {
	sc := s.Scenario
	d := scenarioDump{Version: 1, Name: sc.Name, Dapr: s.Profile.Version, Seed: s.Seed, Duration: sc.Duration.String(), Overhead: sc.Overhead.String(), Resources: sc.ResourcesPath, Resiliency: sc.Resiliency}
	for _, a := range sc.Apps {
		if len(a.Steps) == 0 {
			d.Apps = append(d.Apps, appDump{ID: a.ID, Latency: a.Latency.String(), Actors: a.Actors})
			continue
		}
		ad := appDump{ID: a.ID, Start: a.Start.String(), Pause: durText(a.Pause), Every: durText(a.Every),
			Iterations: a.Iterations, Workers: a.Workers, WorkerOffset: durText(a.WorkerOffset), OnError: a.OnError.String()}
		for _, st := range a.Steps {
			sd := stepDump{Key: st.Key, Log: st.Log}
			switch st.Op {
			case Save:
				sd.Save, sd.Value = st.Target, st.Value
			case Get:
				sd.Get = st.Target
			case Delete:
				sd.Delete = st.Target
			case Invoke:
				sd.Invoke, sd.Key = &invokeDump{App: st.Target, Method: st.Method}, ""
			case Actor:
				sd.Actor, sd.Key = &actorDump{Type: st.Target, ID: st.ActorID, Method: st.Method}, ""
			}
			if st.Latency != nil {
				sd.Latency = st.Latency.String()
			}
			ad.Steps = append(ad.Steps, sd)
		}
		d.Apps = append(d.Apps, ad)
	}
	d.Stores = map[string]storeDump{}
	for _, st := range s.Stores {
		d.Stores[st.Name] = storeDump{Latency: st.Latency.String()}
	}
	for _, f := range sc.Faults {
		d.Faults = append(d.Faults, faultDump{At: f.At.String(), Stop: f.Stop, Start: f.Start})
	}
	return traces.Header{
		Sim:      Version,
		Name:     sc.Name,
		Dapr:     s.Profile.Version,
		Seed:     s.Seed,
		Scenario: d,
		Spec:     s.Spec.Dump(),
	}
}
