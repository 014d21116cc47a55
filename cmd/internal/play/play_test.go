package play

import (
	"os"
	"testing"
)

// BenchmarkRunQuickstart is the playground's re-run without the browser:
// play.Run of the quickstart, its log, SVG and replay page (the page's
// snapshots and JSON are most of it).
func BenchmarkRunQuickstart(b *testing.B) {
	fsys := os.DirFS("../../..")
	b.ReportAllocs()
	for b.Loop() {
		if res := Run(fsys, "examples/quickstart/scenario.yaml"); res.Status != StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Stderr)
		}
	}
}
