package cli

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/gencheck"
	"github.com/fsmgen/fsmgen/internal/model"
)

var (
	propCases = flag.Int("fsmgen.props", 3, "number of random specs TestRandomSpecs generates, compiles and runs")
	propSeed  = flag.Uint64("fsmgen.seed", 1, "first seed of TestRandomSpecs; case i uses seed+i")
)

// TestRandomSpecs generates random valid specs, each with the risky names,
// machine-wide transitions, forbids, entries, tags, renames and removals
// that real specs mix, runs them through the whole pipeline, and compiles
// and runs the Go output against a table derived from the model. Raise
// -fsmgen.props for a longer search; a failure names the seed and keeps
// the spec.
func TestRandomSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles generated code")
	}
	for i := range uint64(*propCases) {
		seed := *propSeed + i
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			src := randomSpec(rand.New(rand.NewPCG(seed, seed)))
			specPath := filepath.Join(t.TempDir(), "spec.yaml")
			if err := os.WriteFile(specPath, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Load(specPath)
			if err != nil {
				t.Fatalf("random spec rejected: %v\n%s", err, src)
			}
			files, err := gen.Generate(m, gen.Options{})
			if err != nil {
				t.Fatalf("generate: %v\n%s", err, src)
			}
			defer func() {
				if t.Failed() {
					t.Logf("spec (seed %d):\n%s", seed, src)
				}
			}()
			gencheck.CompileAndRun(t, m, files)
		})
	}
}

// riskyNames are legal names that are keywords, predeclared identifiers or
// SQL reserved words somewhere, or YAML 1.1 booleans (always quoted here).
var riskyNames = []string{
	"type", "string", "error", "nil", "func", "select", "order", "user", "on", "off", "yes", "null",
	"go", "map", "chan", "range", "default", "case", "return", "package", "import", "true", "iota",
	"len", "any", "table", "from", "where", "group", "state", "event", "s", "e", "t", "ev", "from_",
	"num_states", "initial", "invalid", "transition", "permitted", "can", "is_valid", "v",
}

func randomName(r *rand.Rand, taken map[string]bool, avoid ...string) string {
	for {
		var n string
		switch r.IntN(4) {
		case 0, 1:
			n = riskyNames[r.IntN(len(riskyNames))]
		case 2:
			n = string(rune('a' + r.IntN(26)))
			for range r.IntN(12) {
				n += string("abcdefghijklmnopqrstuvwxyz0123456789_"[r.IntN(37)])
			}
		default:
			n = "n" + strings.Repeat("x_", r.IntN(31)) + strconv.Itoa(r.IntN(10))
		}
		camel := model.Camel(n)
		if len(n) <= model.MaxNameLen && !taken[camel] && !slices.Contains(avoid, n) {
			taken[camel] = true
			return n
		}
	}
}

var docs = []string{
	"plain", `with "quotes" and 'apostrophes'`, `back\slash`, "*/ not the end of a comment /*",
	"line one\nline two", "unicode: café, naïve, 東京, 🚪", "// a comment in a comment", "`backticks`", "%d %s %v",
}

type rstate struct {
	name string
	own  map[int]int // event index -> target index, -1 forbids
	tags []int
	from string
}

// randomSpec returns the YAML of a valid spec. It builds a spanning tree
// from the initial state first, so that every state is reachable, then adds
// random transitions, and finally uses every event.
func randomSpec(r *rand.Rand) string {
	taken := map[string]bool{}
	nStates, nEvents, nTags := 1+r.IntN(8), 1+r.IntN(6), r.IntN(4)
	states := make([]*rstate, nStates)
	for i := range states {
		states[i] = &rstate{name: randomName(r, taken), own: map[int]int{}}
	}
	taken = map[string]bool{}
	events := make([]string, nEvents)
	for i := range events {
		events[i] = randomName(r, taken)
	}
	taken = map[string]bool{}
	tags := make([]string, nTags)
	for i := range tags {
		tags[i] = randomName(r, taken, "valid", "entry")
	}
	free := func(limit int) (s, e int, ok bool) {
		var slots [][2]int
		for s := range limit {
			for e := range nEvents {
				if _, used := states[s].own[e]; !used {
					slots = append(slots, [2]int{s, e})
				}
			}
		}
		if len(slots) == 0 {
			return 0, 0, false
		}
		p := slots[r.IntN(len(slots))]
		return p[0], p[1], true
	}
	for i := 1; i < nStates; i++ {
		s, e, _ := free(i) // i states with nEvents slots each, at most i-1 used
		states[s].own[e] = i
	}
	for range r.IntN(2 * nStates) {
		if s, e, ok := free(nStates); ok {
			states[s].own[e] = r.IntN(nStates)
		}
	}
	wide := map[int]int{}
	for range r.IntN(3) {
		wide[r.IntN(nEvents)] = r.IntN(nStates)
	}
	for e := range wide {
		for _, s := range states {
			if _, ok := s.own[e]; !ok && r.IntN(3) == 0 {
				s.own[e] = -1
			}
		}
	}
	for e := range nEvents {
		used := false
		for _, s := range states {
			t, ok := s.own[e]
			_, w := wide[e]
			used = used || ok && t >= 0 || !ok && w
		}
		if !used {
			s := states[r.IntN(nStates)]
			s.own[e] = r.IntN(nStates)
		}
	}
	for _, s := range states {
		for ti := range nTags {
			if r.IntN(2) == 0 {
				s.tags = append(s.tags, ti)
			}
		}
		if r.IntN(4) == 0 {
			s.from = "old_" + s.name
			if len(s.from) > model.MaxNameLen || slices.ContainsFunc(states, func(o *rstate) bool { return o.name == s.from }) {
				s.from = ""
			}
		}
	}

	var b strings.Builder
	q := strconv.Quote
	doc := func() string { return q(docs[r.IntN(len(docs))]) }
	fmt.Fprintf(&b, "version: 1\nmachine: m%d\ndoc: %s\ninitial: %s\n", r.IntN(1000), doc(), q(states[0].name))
	if nStates > 1 && r.IntN(2) == 0 {
		fmt.Fprintf(&b, "entry: [%s]\n", q(states[1+r.IntN(nStates-1)].name))
	}
	if nTags > 0 {
		b.WriteString("tags:\n")
		for _, t := range tags {
			fmt.Fprintf(&b, "  %s:\n    doc: %s\n", q(t), doc())
		}
	}
	b.WriteString("states:\n")
	for _, s := range states {
		fmt.Fprintf(&b, "  %s:\n    doc: %s\n", q(s.name), doc())
		if s.from != "" {
			fmt.Fprintf(&b, "    renamed_from: %s\n", q(s.from))
		}
		if len(s.tags) > 0 {
			var ts []string
			for _, t := range s.tags {
				ts = append(ts, q(tags[t]))
			}
			fmt.Fprintf(&b, "    tags: [%s]\n", strings.Join(ts, ", "))
		}
		if len(s.own) > 0 {
			b.WriteString("    transitions:\n")
			for e := range nEvents {
				if t, ok := s.own[e]; ok && t < 0 {
					fmt.Fprintf(&b, "      %s: ~\n", q(events[e]))
				} else if ok {
					fmt.Fprintf(&b, "      %s: %s\n", q(events[e]), q(states[t].name))
				}
			}
		}
	}
	b.WriteString("events:\n")
	for _, e := range events {
		fmt.Fprintf(&b, "  %s:\n    doc: %s\n", q(e), doc())
		if nTags > 0 && r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    tags: [%s]\n", q(tags[r.IntN(nTags)]))
		}
	}
	if len(wide) > 0 {
		b.WriteString("transitions:\n")
		for e := range nEvents {
			if t, ok := wide[e]; ok {
				fmt.Fprintf(&b, "  %s: %s\n", q(events[e]), q(states[t].name))
			}
		}
	}
	if r.IntN(3) == 0 {
		gone := "gone"
		for _, s := range states {
			if s.name == gone || s.from == gone {
				gone = ""
			}
		}
		if gone != "" {
			fmt.Fprintf(&b, "removed:\n  %s:\n    doc: %s\n    rows_to: %s\n", gone, doc(), q(states[r.IntN(nStates)].name))
		}
	}
	return b.String()
}
