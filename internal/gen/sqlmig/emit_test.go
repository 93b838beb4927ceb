package sqlmig_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
)

// setup writes the seed's two specs through generate into a fresh output
// directory and returns the spec path (holding the second) and the output.
func setup(t *testing.T) (spec, out string) {
	t.Helper()
	specs := specVersions(t, "goose")
	spec, out = filepath.Join(t.TempDir(), "states.yaml"), t.TempDir()
	for _, text := range specs[:2] {
		writeFile(t, spec, text)
		if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
			t.Fatalf("generate: %s", stderr)
		}
	}
	return spec, out
}

func writeFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

// expectRefusal runs generate and check and wants both to fail with want
// in stderr, leaving the output directory exactly as it was.
func expectRefusal(t *testing.T, spec, out, want string) {
	t.Helper()
	before := snapshot(t, out)
	for _, cmd := range []string{"generate", "check"} {
		code, _, stderr := run(cmd, "-spec", spec, "-out", out)
		if code != cli.ExitFail || !regexp.MustCompile(want).MatchString(stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and %q", cmd, code, stderr, want)
		}
	}
	if after := snapshot(t, out); len(after) != len(before) || func() bool {
		for p, b := range before {
			if after[p] != b {
				return true
			}
		}
		return false
	}() {
		t.Errorf("a refused run changed the output directory")
	}
}

func TestEditedMigrationIsRefused(t *testing.T) {
	spec, out := setup(t)
	p := filepath.Join(out, "migrations/postgres/00002_add_aborting.sql")
	b, _ := os.ReadFile(p)
	writeFile(t, p, strings.Replace(string(b), "AFTER 'enrolling'", "", 1))
	expectRefusal(t, spec, out, `migration migrations/postgres/00002_add_aborting.sql was edited`)
}

func TestDeletedMigrationIsRefused(t *testing.T) {
	spec, out := setup(t)
	if err := os.Remove(filepath.Join(out, "migrations/mysql/00001_create_node_state.sql")); err != nil {
		t.Fatal(err)
	}
	expectRefusal(t, spec, out, `migration migrations/mysql/00001_create_node_state.sql was deleted`)
}

func TestDeletedLockIsRefused(t *testing.T) {
	spec, out := setup(t)
	if err := os.Remove(filepath.Join(out, sqlmig.LockPath)); err != nil {
		t.Fatal(err)
	}
	expectRefusal(t, spec, out, `fsmgen.lock is missing`)
}

func TestStateMissingFromSpecIsPositioned(t *testing.T) {
	spec, out := setup(t)
	v5 := specVersions(t, "goose")[4]
	// The removal without its removed: entry.
	i := strings.Index(v5, "\nremoved:\n")
	j := strings.Index(v5, "\nsql:\n")
	v5 = v5[:i] + v5[j:]
	v5 = strings.Replace(v5, "    renamed_from: reapplying\n", "", 1)
	writeFile(t, spec, v5)
	// The sql section's mapping starts on the line after "sql:".
	line := 1 + strings.Count(v5[:strings.Index(v5, "\nsql:\n")+len("\nsql:\n")], "\n")
	expectRefusal(t, spec, out, regexp.QuoteMeta(spec)+`:`+itoa(line)+`:\d+: state "aborting" is in the migration history`)
	expectRefusal(t, spec, out, `state "reapplying" is in the migration history .*renamed_from: reapplying`)
}

func TestNoChangeWritesNothingNew(t *testing.T) {
	spec, out := setup(t)
	before := snapshot(t, out)
	if code, _, stderr := run("generate", "-spec", spec, "-out", out); code != cli.ExitOK {
		t.Fatal(stderr)
	}
	if len(snapshot(t, out)) != len(before) {
		t.Fatal("generate without a spec change added files")
	}
}

func TestSQLiteDefaultChangeIsRefused(t *testing.T) {
	spec, out := setup(t)
	v2 := specVersions(t, "goose")[1]
	writeFile(t, spec, strings.Replace(v2, "  column: state\n", "  column: state\n  default: error\n", 1))
	expectRefusal(t, spec, out, `sqlite: the default of nodes.state would change from "finished" to "error"`)
}

func TestTimestampVersionsUseTheInjectedClock(t *testing.T) {
	v2 := specVersions(t, "goose")[1]
	v2 = strings.Replace(v2, "  dialects: [postgres, mysql, sqlite]", "  dialects: [postgres]\n  versions: timestamp", 1)
	spec := filepath.Join(t.TempDir(), "states.yaml")
	writeFile(t, spec, v2)
	m, err := cli.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2017, 3, 14, 15, 9, 26, 0, time.FixedZone("x", 3600)) }
	files, err := sqlmig.Emit(m, fstest.MapFS{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["migrations/postgres/20170314140926_create_node_state.sql"]; !ok {
		t.Fatalf("want a UTC timestamp version; got %v", keys(files))
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
