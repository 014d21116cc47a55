// Package chromium is what the browser tests share to drive Debian's
// headless Chromium: finding it, and reading from its NetLog the requests
// a page made. It imports no package of ours.
package chromium

import (
	"encoding/json"
	"fmt"
	"os/exec"
)

// SkipMessage is what a browser test says when Find finds nothing.
const SkipMessage = "Chromium is not on PATH (chromium, chromium-browser): install Debian's chromium (apt-get install chromium) to run the browser test; .ci/run does"

// Find returns the path of a Chromium on PATH, or "".
func Find() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// QuietFlags are the flags that run Chromium headless with a fresh
// profile in profileDir and its own background networking off, so that a
// NetLog holds what pages do.
func QuietFlags(profileDir string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profileDir}
}

// PageRequests returns the URLs of the requests a document initiated, from
// a Chromium NetLog (--log-net-log): URL_REQUEST_START_JOB events whose
// initiator is an origin (a file:// page's is "null"). Chromium's own
// requests (update checks and the like) are "not an origin".
func PageRequests(netlog []byte) ([]string, error) {
	var nl struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(netlog, &nl); err != nil {
		return nil, fmt.Errorf("netlog: %w", err)
	}
	start, ok := nl.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		return nil, fmt.Errorf("netlog: no URL_REQUEST_START_JOB event type among %d", len(nl.Constants.LogEventTypes))
	}
	var out []string
	for _, e := range nl.Events {
		if e.Type == start && e.Params.URL != "" && e.Params.Initiator != "not an origin" {
			out = append(out, e.Params.URL)
		}
	}
	return out, nil
}
