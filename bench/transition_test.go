package bench

import (
	"math/rand/v2"
	"testing"

	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
)

// streamLen is long enough that the branch predictor cannot learn the random
// streams: with 4096 pairs it does, and every branchy variant looks as fast
// as the table.
const (
	streamLen  = 1 << 20
	streamMask = streamLen - 1
)

type pair struct {
	s  fsmpkg.State
	ev fsmpkg.Event
}

type stream struct {
	name  string
	pairs []pair
}

// streams are built once, with a fixed seed, so that every run and every
// implementation sees the same pairs.
var streams = func() []stream {
	rng := rand.New(rand.NewPCG(1, 2))
	var legal []pair
	for _, s := range fsmpkg.States() {
		for _, ev := range s.Permitted().Events() {
			legal = append(legal, pair{s, ev})
		}
	}
	random := make([]pair, streamLen)
	for i := range random {
		random[i] = pair{fsmpkg.State(rng.IntN(fsmpkg.NumStates)), fsmpkg.Event(rng.IntN(fsmpkg.NumEvents))}
	}
	legalOnly := make([]pair, streamLen)
	for i := range legalOnly {
		legalOnly[i] = legal[rng.IntN(len(legal))]
	}
	cycle := make([]pair, streamLen)
	for i := range cycle {
		cycle[i] = introspectionCycle[i%len(introspectionCycle)]
	}
	return []stream{{"random", random}, {"legal", legalOnly}, {"cycle", cycle}}
}()

// introspectionCycle is one successful introspection, from Initial back to
// it: a stream a branch predictor learns completely.
var introspectionCycle = []pair{
	{fsmpkg.StateFinished, fsmpkg.EventStart},
	{fsmpkg.StateStarting, fsmpkg.EventWait},
	{fsmpkg.StateWaiting, fsmpkg.EventProcess},
	{fsmpkg.StateProcessing, fsmpkg.EventFinish},
}

var stateNames, eventNames = func() (s [fsmpkg.NumStates]string, e [fsmpkg.NumEvents]string) {
	for _, v := range fsmpkg.States() {
		s[v] = v.String()
	}
	for _, v := range fsmpkg.Events() {
		e[v] = v.String()
	}
	return
}()

// The step functions are one move of each implementation, answering where
// the pair leads and whether it is legal. They are small so that the
// benchmark loops inline them, as a caller's loop would.

func stepTransition(p pair) (fsmpkg.State, bool) {
	to, err := fsmpkg.Transition(p.s, p.ev)
	return to, err == nil
}

func stepNext(p pair) (fsmpkg.State, bool) {
	return fsmpkg.Next(p.s, p.ev)
}

func stepCan(p pair) (fsmpkg.State, bool) {
	return p.s, p.s.Can(p.ev)
}

// stepPermitted asks through the set Permitted returns, a value built on
// each call.
func stepPermitted(p pair) (fsmpkg.State, bool) {
	return p.s, p.s.Permitted().Has(p.ev)
}

func stepTable(p pair) (fsmpkg.State, bool) {
	to := table[p.s][p.ev]
	return to, to != none
}

func stepPairMap(p pair) (fsmpkg.State, bool) {
	to, ok := pairMap[[2]uint8{uint8(p.s), uint8(p.ev)}]
	return to, ok
}

// stepNameMap answers a name, as its callers would use it; the loop
// measures the lookup and does not parse the name back.
func stepNameMap(p pair) (string, bool) {
	to, ok := nameMap[stateNames[p.s]][eventNames[p.ev]]
	return to, ok
}

var looplab = newLooplab()

func stepLooplab(p pair) (string, bool) {
	return looplabFire(looplab, stateNames[p.s], eventNames[p.ev])
}

var statelessM = newStateless()

func stepStateless(p pair) (fsmpkg.State, bool) {
	return statelessM.fire(p.s, p.ev)
}

// sink keeps the loops' results alive.
var sink int

type impl struct {
	name string
	run  func(b *testing.B, ps []pair)
}

// impls start with the table: benchstat takes the first column as the
// baseline of its ratios.
var impls = []impl{
	{"table", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepTable(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"Transition", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepTransition(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"Next", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepNext(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"Can", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepCan(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"Permitted", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepPermitted(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"pairmap", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepPairMap(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"namemap", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepNameMap(ps[i&streamMask]); ok {
				acc += len(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"looplab", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepLooplab(ps[i&streamMask]); ok {
				acc += len(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
	{"stateless", func(b *testing.B, ps []pair) {
		acc := 0
		for i := 0; i < b.N; i++ {
			if to, ok := stepStateless(ps[i&streamMask]); ok {
				acc += int(to)
			} else {
				acc--
			}
		}
		sink = acc
	}},
}

// BenchmarkTransition runs one move per op. Names are key=value so that
// `benchstat -col /impl` puts the implementations side by side.
func BenchmarkTransition(b *testing.B) {
	for _, st := range streams {
		b.Run("stream="+st.name, func(b *testing.B) {
			for _, im := range impls {
				b.Run("impl="+im.name, func(b *testing.B) {
					b.ReportAllocs()
					im.run(b, st.pairs)
				})
			}
		})
	}
}

// chainEvents is a stream of uniformly drawn events for BenchmarkChain.
var chainEvents = func() []fsmpkg.Event {
	rng := rand.New(rand.NewPCG(3, 4))
	evs := make([]fsmpkg.Event, streamLen)
	for i := range evs {
		evs[i] = fsmpkg.Event(rng.IntN(fsmpkg.NumEvents))
	}
	return evs
}()

// BenchmarkChain runs dependent moves: each starts from the state the one
// before reached (or kept, when its event was not allowed), as a machine
// driven by a stream of events does, so that every move waits for the
// last. Names match BenchmarkTransition's (stream=chain), for one report.
func BenchmarkChain(b *testing.B) {
	for _, im := range []struct {
		name string
		run  func(b *testing.B)
	}{
		{"table", func(b *testing.B) {
			s := fsmpkg.Initial
			for i := 0; i < b.N; i++ {
				if to, ok := stepTable(pair{s, chainEvents[i&streamMask]}); ok {
					s = to
				}
			}
			sink = int(s)
		}},
		{"Transition", func(b *testing.B) {
			s := fsmpkg.Initial
			for i := 0; i < b.N; i++ {
				if to, ok := stepTransition(pair{s, chainEvents[i&streamMask]}); ok {
					s = to
				}
			}
			sink = int(s)
		}},
		{"Next", func(b *testing.B) {
			s := fsmpkg.Initial
			for i := 0; i < b.N; i++ {
				if to, ok := stepNext(pair{s, chainEvents[i&streamMask]}); ok {
					s = to
				}
			}
			sink = int(s)
		}},
	} {
		b.Run("stream=chain/impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			im.run(b)
		})
	}
}

// TestPeersAgree checks that every implementation runs the same machine on
// the benchmark streams, so that the benchmarks compare like with like.
func TestPeersAgree(t *testing.T) {
	for _, st := range streams {
		for i, p := range st.pairs[:1<<14] {
			want, legal := stepTable(p)
			if want == none {
				want = p.s
			}
			check := func(name string, to fsmpkg.State, ok bool) {
				t.Helper()
				if ok != legal || to != want {
					t.Fatalf("%s stream, pair %d (%v, %v): %s gives (%v, %v), the table (%v, %v)", st.name, i, p.s, p.ev, name, to, ok, want, legal)
				}
			}
			to, ok := stepTransition(p)
			check("Transition", to, ok)
			to, ok = stepNext(p)
			check("Next", to, ok)
			_, ok = stepCan(p)
			check("Can", want, ok)
			to, ok = stepPairMap(p)
			if !ok {
				to = p.s
			}
			check("pairmap", to, ok)
			name, ok := stepNameMap(p)
			if !ok {
				name = p.s.String()
			}
			check("namemap", parse(t, name), ok)
			name, ok = stepLooplab(p)
			check("looplab", parse(t, name), ok)
			to, ok = stepStateless(p)
			check("stateless", to, ok)
		}
	}
	for i, p := range introspectionCycle {
		next := introspectionCycle[(i+1)%len(introspectionCycle)]
		if to, err := fsmpkg.Transition(p.s, p.ev); err != nil || to != next.s {
			t.Errorf("cycle step %d: (%v, %v) leads to %v, %v; want %v", i, p.s, p.ev, to, err, next.s)
		}
	}
}

func parse(t *testing.T, name string) fsmpkg.State {
	t.Helper()
	s, err := fsmpkg.ParseState(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
