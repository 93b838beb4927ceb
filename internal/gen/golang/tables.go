package golang

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/model"
)

// The transition table and the next switch are most of the file for a big
// machine, so they are written directly in gofmt's layout instead of through
// jennifer: go/format parsing and printing them was most of the time fsmgen
// took to generate one. The layout is trivial, and a test checks that gofmt
// leaves every emitted file unchanged.

// denseCells bounds the machines whose table is written in full, every
// cell the state a move leads to or noMove: the move is then the load
// alone, as a hand-written array's is. A bigger machine's table names only
// its legal moves, each one more than its state, so that its source and
// its compile time grow with the transitions, not with states × events.
const denseCells = 1 << 12

// dense reports whether m's table is written in full.
func dense(m *model.Machine) bool { return len(m.States)*len(m.Events) <= denseCells }

// denseDoc and sparseDoc document the table, in full or by its legal
// moves.
const denseDoc = `transitions is next as a table the compiler lays out at build time, so
that importing the package costs no work at start: transitions[from][ev]
is the state ev leads to from from, or noMove when from does not allow
ev. One load replaces the switch's jumps, so Transition costs the same
whatever the mix of events. The generated test holds it against next on
every pair.`

const sparseDoc = `transitions is next as a table the compiler lays out at build time, so
that importing the package costs no work at start: transitions[from][ev]
is one more than the state ev leads to from from, or 0 when from does not
allow ev, so that only legal moves are written. One load replaces the
switch's jumps, so Transition costs the same whatever the mix of events.
The generated test holds it against next on every pair.`

// transitionsTable returns the source of the table Transition, Can and
// Permitted read: one row per state, by the state's value, by event.
// Rows are positional so that gofmt has no keys to align.
func transitionsTable(m *model.Machine) []byte {
	var b bytes.Buffer
	b.Grow(len(sparseDoc) + 64 + len(m.States)*32 + len(m.Transitions)*12)
	b.WriteString("\n")
	doc, cells := sparseDoc, make([]string, 0, len(m.Events))
	row := func(s *model.State) []string {
		cells = cells[:0]
		for _, t := range s.Out {
			cells = append(cells, strconv.Itoa(t.Event.Index)+": "+strconv.Itoa(t.To.Ord+1))
		}
		return cells
	}
	if dense(m) {
		b.WriteString("// noMove marks a move the state does not allow in transitions.\nconst noMove = NumStates\n\n")
		doc, cells = denseDoc, make([]string, len(m.Events))
		row = func(s *model.State) []string {
			for i := range cells {
				cells[i] = "noMove"
			}
			for _, t := range s.Out {
				cells[t.Event.Index] = strconv.Itoa(t.To.Ord)
			}
			return cells
		}
	}
	writeDoc(&b, doc)
	b.WriteString("var transitions = [NumStates][NumEvents]State{\n")
	for _, s := range m.ByOrd {
		b.WriteString("\t// " + s.GoName + "\n\t{" + strings.Join(row(s), ", ") + "},\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// permittedDoc documents the table of permitted events.
const permittedDoc = `permitted holds the events each state allows, by the state's value, so
that Permitted is one load; it is static data like transitions, and the
generated test holds it against next too.`

// permittedTable returns the source of the table Permitted reads: one
// EventSet per state, its words in hexadecimal.
func permittedTable(m *model.Machine) []byte {
	words := (len(m.Events) + 63) / 64
	var b bytes.Buffer
	b.Grow(len(permittedDoc) + 64 + len(m.States)*(8+words*20))
	b.WriteString("\n")
	writeDoc(&b, permittedDoc)
	b.WriteString("var permitted = [NumStates]EventSet{\n")
	set := make([]uint64, words)
	for _, s := range m.ByOrd {
		clear(set)
		for _, t := range s.Out {
			set[t.Event.Index/64] |= 1 << (t.Event.Index % 64)
		}
		b.WriteString("\t// " + s.GoName + "\n\t{")
		for i, w := range set {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("0x" + strconv.FormatUint(w, 16))
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// nextDoc documents next.
const nextDoc = `next is the definition of the machine's moves, state by state in spec
order: the events each state allows, in event order, and the state each leads
to. ok is false for an event the state does not allow.

It lives in the package's test, which holds Transition, Can and Permitted
(they read the transitions and permitted tables) against it: called per
event, a nested switch costs two dependent indirect jumps, which a random
mix of states and events mispredicts, and for a big machine it would cost
the package's compile more than all the rest.`

// nextFunc returns the source of next, one nested switch stating every move
// so that a reviewer can hold it against the spec.
func nextFunc(m *model.Machine) []byte {
	var b bytes.Buffer
	b.Grow(len(nextDoc) + 128 + len(m.States)*64 + len(m.Transitions)*48)
	b.WriteString("\n")
	writeDoc(&b, nextDoc)
	b.WriteString("func next(from State, ev Event) (to State, ok bool) {\n\tok = true\n\tswitch from {\n")
	for _, s := range m.States {
		if len(s.Out) == 0 {
			continue
		}
		b.WriteString("\tcase " + s.GoName + ":\n\t\tswitch ev {\n")
		for _, t := range s.Out {
			b.WriteString("\t\tcase " + t.Event.GoName + ":\n\t\t\tto = " + t.To.GoName)
			if t.MachineWide {
				b.WriteString(" // machine-wide")
			}
			b.WriteString("\n")
		}
		b.WriteString("\t\tdefault:\n\t\t\tok = false\n\t\t}\n")
	}
	b.WriteString("\tdefault:\n\t\tok = false\n\t}\n\treturn\n}\n")
	return b.Bytes()
}

func writeDoc(b *bytes.Buffer, doc string) {
	for _, l := range strings.Split(doc, "\n") {
		if l == "" {
			b.WriteString("//\n")
		} else {
			b.WriteString("// " + l + "\n")
		}
	}
}

// tablesTestSource is the generated package's own test: the table agrees
// with next, Transition, Can and Permitted agree with the table, and none of
// them allocates.
const tablesTestSource = `// ` + Header + `

package PKG

import (
	"errors"
	"testing"
)

// TestTransitionsMatchNext holds Transition, Can and Permitted, which read
// the transitions table, against next, the switch that defines the moves,
// on every (state, event) pair.
func TestTransitionsMatchNext(t *testing.T) {
	for from := State(0); from < NumStates; from++ {
		permitted := from.Permitted()
		for ev := Event(0); ev < NumEvents; ev++ {
			want, ok := next(from, ev)
			if to, moves := Next(from, ev); moves != ok || ok && to != want || !ok && to != from {
				t.Errorf("Next(%v, %v) = %v, %v; next says %v, %v", from, ev, to, moves, want, ok)
			}
			got, err := Transition(from, ev)
			var te TransitionError
			switch {
			case ok && (err != nil || got != want):
				t.Errorf("Transition(%v, %v) = %v, %v; next says %v", from, ev, got, err, want)
			case !ok && (got != from || !errors.Is(err, ErrInvalidTransition) || !errors.As(err, &te) || te.From() != from || te.Event() != ev):
				t.Errorf("Transition(%v, %v) = %v, %v; next says it is not allowed", from, ev, got, err)
			}
			if from.Can(ev) != ok || permitted.Has(ev) != ok {
				t.Errorf("%v.Can(%v) = %v, Permitted().Has = %v; next says %v", from, ev, from.Can(ev), permitted.Has(ev), ok)
			}
		}
	}
}

// sinkErr keeps Transition's error alive, so that the compiler cannot keep
// an allocating error on the stack and hide it from AllocsPerRun.
var sinkErr error

func TestNoAllocations(t *testing.T) {
	allocs := testing.AllocsPerRun(1, func() {
		for from := State(0); from < NumStates; from++ {
			for ev := Event(0); ev < NumEvents; ev++ {
				_, sinkErr = Transition(from, ev)
				_, _ = Next(from, ev)
				_ = from.Can(ev)
			}
			_ = from.Permitted()
		}
	})
	if allocs != 0 {
		t.Errorf("Transition, Can and Permitted allocate %v times over every pair", allocs)
	}
}

// TestScanNoAllocations scans every state's and event's value as a driver
// hands it over, a string or bytes. Bytes are scanned up to 32 long only:
// longer ones are copied to the heap by the conversion to a string.
func TestScanNoAllocations(t *testing.T) {
	var states, events []any
	for _, s := range States() {
		states = append(states, s.String())
		if len(s.String()) <= 32 {
			states = append(states, []byte(s.String()))
		}
	}
	for _, e := range Events() {
		events = append(events, e.String())
		if len(e.String()) <= 32 {
			events = append(events, []byte(e.String()))
		}
	}
	var s State
	var e Event
	allocs := testing.AllocsPerRun(1, func() {
		for _, src := range states {
			sinkErr = s.Scan(src)
		}
		for _, src := range events {
			sinkErr = e.Scan(src)
		}
	})
	if allocs != 0 {
		t.Errorf("Scan allocates %v times over every value", allocs)
	}
}
`

// tablesTest returns the source of the generated package's test, next
// included.
func tablesTest(m *model.Machine) []byte {
	return append([]byte(strings.Replace(tablesTestSource, "package PKG", "package "+m.Package, 1)), nextFunc(m)...)
}
