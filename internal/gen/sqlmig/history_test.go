package sqlmig_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/cli"
)

const repoSpec = "../../../spec/states.yaml"

// history is a migration history generated, the way a user would, from a
// spec edited step by step.
type history struct {
	out   string     // the output directory
	sets  [][]string // the state set after each version, index 0 = version 1
	specs []string   // the spec of each version
}

func (h *history) dir(dialect string) fs.FS {
	return os.DirFS(filepath.Join(h.out, "migrations", dialect))
}

// specVersions derives the specs of the scenario from the repository's:
// the seed's machine before aborting existed, the seed itself, then an
// added state, a rename and a removal with a mapping.
func specVersions(t *testing.T, format string) []string {
	t.Helper()
	b, err := os.ReadFile(repoSpec)
	if err != nil {
		t.Fatal(err)
	}
	// The enum's scenario: the store's objects have their own (store_test.go).
	seed := regexp.MustCompile(`(?m)^  # Each history row keeps.*\n(  #.*\n)*(  history_(fields|notes): .*\n)+`).ReplaceAllString(string(b), "")
	v2 := withoutFields(t, mustReplace(t, seed, storeKeys, ""))
	if format != "goose" {
		v2 = mustReplace(t, v2, "  dialects:", "  format: "+format+"\n  dialects:")
	}
	v1 := mustReplace(t, v2, "      abort: aborting\n", "      abort: error\n")
	v1 = cut(t, v1, "  aborting:\n", "\nevents:")
	v1 = mustReplace(t, v1, "  abort_end:\n    doc: finish the abort request\n    tags: [internal]\n", "")
	v3 := mustReplace(t, v2, "  processing:\n", "  paused:\n    doc: held by an operator\n    tags: [passive]\n    transitions:\n      start: starting\n  processing:\n")
	v3 = mustReplace(t, v3, "entry: [starting, enrolling]", "entry: [starting, enrolling, paused]")
	v4 := strings.ReplaceAll(v3, "reapplying", "reprocessing")
	v4 = mustReplace(t, v4, "  reprocessing:\n", "  reprocessing:\n    renamed_from: reapplying\n")
	v5 := mustReplace(t, v4, "      abort: aborting\n", "      abort: error\n")
	v5 = cut(t, v5, "  aborting:\n", "\nevents:")
	v5 = mustReplace(t, v5, "  abort_end:\n    doc: finish the abort request\n    tags: [internal]\n", "")
	v5 = mustReplace(t, v5, "\nsql:\n", "\nremoved:\n  aborting:\n    doc: aborts now end in error directly\n    rows_to: error\n\nsql:\n")
	return []string{v1, v2, v3, v4, v5}
}

// withoutFields removes the seed's fields, the states' sets, the timeouts
// and the drivers (the last keys of its sql section), which need the
// store's keys.
func withoutFields(t *testing.T, spec string) string {
	t.Helper()
	spec = regexp.MustCompile(`(?m)^    set: .*\n`).ReplaceAllString(spec, "")
	spec = regexp.MustCompile(`(?s)\n# ironic-inspector's clean_up.*?\nsql:`).ReplaceAllString(spec, "\nsql:")
	i := strings.Index(spec, seedFields)
	if i < 0 {
		t.Fatalf("the seed has no fields block starting %q", seedFields)
	}
	return spec[:i]
}

// seedFields starts the seed's fields, the last of its sql keys.
const seedFields = "  # Columns a move sets"

// storeKeys are the seed's sql keys for the generated store.
const storeKeys = "  key: uuid\n  version: version_id\n  version_kind: token\n  history: nodes_history\n  enforce: transitions\n"

func buildHistory(t *testing.T, format string) *history {
	t.Helper()
	h := &history{out: t.TempDir()}
	specs := specVersions(t, format)
	perVersion := 1
	if format == "golang-migrate" {
		perVersion = 2
	}
	for i, text := range specs {
		spec := filepath.Join(t.TempDir(), "states.yaml")
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		before := countSQL(t, h.out)
		if i > 0 {
			if code, _, _ := run("check", "-spec", spec, "-out", h.out); code != cli.ExitFail {
				t.Fatalf("version %d: check exited %d although the spec changed and no migration was generated", i+1, code)
			}
		}
		if code, _, stderr := run("generate", "-spec", spec, "-out", h.out); code != cli.ExitOK {
			t.Fatalf("version %d: generate exited %d: %s", i+1, code, stderr)
		}
		if got, want := countSQL(t, h.out)-before, 3*perVersion; got != want {
			t.Fatalf("version %d: generate added %d files, want %d (one migration per dialect)", i+1, got, want)
		}
		if code, _, stderr := run("check", "-spec", spec, "-out", h.out); code != cli.ExitOK {
			t.Fatalf("version %d: check after generate exited %d: %s", i+1, code, stderr)
		}
		h.sets = append(h.sets, statesOf(t, spec))
		h.specs = append(h.specs, spec)
	}
	return h
}

func run(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func statesOf(t *testing.T, spec string) []string {
	t.Helper()
	m, err := cli.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range m.States {
		out = append(out, s.Value)
	}
	return out
}

func countSQL(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".sql") {
			n++
		}
		return nil
	})
	return n
}

func mustReplace(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("spec edit: %q occurs %d times, want once", old, strings.Count(s, old))
	}
	return strings.Replace(s, old, new, 1)
}

// cut removes from the start of from up to (not including) to.
func cut(t *testing.T, s, from, to string) string {
	t.Helper()
	i, j := strings.Index(s, from), strings.Index(s, to)
	if i < 0 || j < i {
		t.Fatalf("spec edit: cannot cut %q..%q", from, to)
	}
	return strings.TrimRight(s[:i], "\n") + "\n" + s[j:]
}

// TestCheckedInHistory proves that migrations already written are history:
// generating over the checked-in generated/migrations, with the seed's spec
// and then with the spec evolved past it, keeps every checked-in file byte
// for byte, although today's templates would write them differently.
func TestCheckedInHistory(t *testing.T) {
	repo := "../../../generated/migrations"
	out := t.TempDir()
	want := map[string][]byte{}
	err := filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(repo, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		want[rel] = b
		dst := filepath.Join(out, "migrations", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range specVersions(t, "goose")[1:] {
		text = mustReplace(t, text, "\nsql:\n", "\nsql:\n"+storeKeys)
		spec := filepath.Join(t.TempDir(), "states.yaml")
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("version %d: generate exited %d: %s", i+2, code, stderr)
		}
		for rel, b := range want {
			if strings.HasSuffix(rel, ".fsmgen.json") {
				continue
			}
			got, err := os.ReadFile(filepath.Join(out, "migrations", rel))
			if err != nil || !bytes.Equal(got, b) {
				t.Errorf("version %d: %s was rewritten or removed (%v)", i+2, rel, err)
			}
		}
	}
	checkedIn := 0
	for rel := range want {
		if strings.HasSuffix(rel, ".sql") {
			checkedIn++
		}
	}
	// The versions have no timeout: the first drops the seed's, in one
	// migration per dialect and, on PostgreSQL, one that drops its index
	// first.
	if got, want := countSQL(t, out), checkedIn+3+1+3*3; got != want {
		t.Errorf("%d migration files after three spec changes, want %d", got, want)
	}
}
