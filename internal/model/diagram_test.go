package model_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/model"
)

func seed(t *testing.T) *model.Machine {
	t.Helper()
	data, err := os.ReadFile("../../spec/states.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Parse("states.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEdgesGroupTransitions(t *testing.T) {
	m := seed(t)
	var got []string
	n := 0
	for _, e := range m.Edges {
		got = append(got, e.From.Name+" -> "+e.To.Name+": "+e.Label)
		n += len(e.Events)
		for _, ev := range e.Events {
			if e.From.Next(ev) != e.To {
				t.Errorf("edge %s -> %s carries %s, which leads to %v", e.From.Name, e.To.Name, ev.Name, e.From.Next(ev))
			}
		}
	}
	want := []string{
		"starting -> waiting: wait",
		"starting -> error: timeout, error",
		"waiting -> starting: start",
		"waiting -> processing: process",
		"waiting -> error: timeout",
		"waiting -> aborting: abort",
		"processing -> finished: finish",
		"processing -> error: timeout, error",
		"finished -> starting: start",
		"finished -> finished: finish",
		"finished -> reapplying: reapply",
		"error -> starting: start",
		"error -> error: abort, error",
		"error -> reapplying: reapply",
		"reapplying -> finished: finish",
		"reapplying -> error: timeout, error",
		"reapplying -> reapplying: reapply",
		"enrolling -> processing: process",
		"enrolling -> error: timeout, error",
		"aborting -> error: timeout, abort_end",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	if n != 26 {
		t.Errorf("edges carry %d transitions, the seed has 26", n)
	}
}

func TestStyleConvention(t *testing.T) {
	m := seed(t)
	var failures, active, internalEdges []string
	for _, s := range m.States {
		if s.Failure {
			failures = append(failures, s.Name)
		}
		if s.Active {
			active = append(active, s.Name)
		}
	}
	for _, e := range m.Edges {
		if e.Internal {
			internalEdges = append(internalEdges, e.From.Name+"->"+e.To.Name)
		}
	}
	if diff := cmp.Diff([]string{"error"}, failures); diff != "" {
		t.Errorf("failure states (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"starting", "processing", "reapplying", "enrolling", "aborting"}, active); diff != "" {
		t.Errorf("active states (-want +got):\n%s", diff)
	}
	// error -> error mixes abort (api) with error (internal): solid.
	want := []string{"starting->waiting", "starting->error", "waiting->error", "processing->finished", "processing->error", "finished->finished", "reapplying->finished", "reapplying->error", "enrolling->error", "aborting->error"}
	if diff := cmp.Diff(want, internalEdges); diff != "" {
		t.Errorf("all-internal edges (-want +got):\n%s", diff)
	}
}

func TestDOTString(t *testing.T) {
	for in, want := range map[string]string{
		``:                `""`,
		`plain`:           `"plain"`,
		`say "hi"`:        `"say \"hi\""`,
		`back\slash \N`:   `"back\\slash \\N"`,
		"two\nlines\r\n":  `"two\nlines\n"`,
		`<b>html</b> {x}`: `"<b>html</b> {x}"`,
	} {
		if got := model.DOTString(in); got != want {
			t.Errorf("DOTString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMarkdownText(t *testing.T) {
	for in, want := range map[string]string{
		"timed-out waiting":   "timed-out waiting",
		"a | b":               `a \| b`,
		"abort_end *now*":     `abort\_end \*now\*`,
		"<b>x</b> & [l](u)":   `\<b\>x\</b\> \& \[l\](u)`,
		"# heading":           `\# heading`,
		"- item":              `\- item`,
		"`code` ~s~ back\\sl": "\\`code\\` \\~s\\~ back\\\\sl",
		"two\n  lines\n":      "two lines",
	} {
		if got := model.MarkdownText(in); got != want {
			t.Errorf("MarkdownText(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMarkdownCode(t *testing.T) {
	for in, want := range map[string]string{
		"wait call-back": "`wait call-back`",
		"a | b":          "`a \\| b`",
		"one `tick`":     "`` one `tick` ``",
		"``two`` ticks":  "``` ``two`` ticks ```",
		"`edge":          "`` `edge ``",
		`back\slash <b>`: "`back\\slash <b>`",
	} {
		if got := model.MarkdownCode(in); got != want {
			t.Errorf("MarkdownCode(%q) = %s, want %s", in, got, want)
		}
	}
}
