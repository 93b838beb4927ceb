package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/cli"
)

const seedSpec = "../../spec/states.yaml"

func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = cli.Run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestRenderSVG(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dot is not on PATH; CI must install graphviz (.ci/deps)")
		}
		t.Skip("dot is not on PATH (install graphviz); skipped outside CI")
	}
	out := t.TempDir()
	if code, _, stderr := run("generate", "-spec", seedSpec, "-out", out, "-render", "svg"); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	svg, err := os.ReadFile(filepath.Join(out, "introspection", "introspection.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte(">abort_end</text>")) {
		t.Errorf("introspection.svg is not the rendered machine:\n%.400s", svg)
	}
	// The picture is not part of check: a fresh checkout with another
	// Graphviz must not be reported stale.
	if err := os.WriteFile(filepath.Join(out, "introspection", "introspection.svg"), []byte("other graphviz"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run("check", "-spec", seedSpec, "-out", out); code != cli.ExitOK {
		t.Errorf("check after render: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestRenderWithoutDotChangesNothing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out := t.TempDir()
	code, _, stderr := run("generate", "-spec", seedSpec, "-out", out, "-render", "svg")
	if code != cli.ExitFail || !strings.Contains(stderr, "graphviz") || !strings.Contains(stderr, "dot") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming dot and the graphviz package", code, stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("failed generate wrote %d entries to the output directory", len(entries))
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	code, _, stderr := run("generate", "-spec", seedSpec, "-out", t.TempDir(), "-render", "gif")
	if code != cli.ExitFail || !strings.Contains(stderr, `"gif"`) || !strings.Contains(stderr, "svg") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestTemplatesFlag(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "markdown.tmpl"), []byte("# {{.Name}} has {{len .States}} states\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run("generate", "-spec", seedSpec, "-out", out, "-templates", dir); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	md, err := os.ReadFile(filepath.Join(out, "introspection", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(md) != "# introspection has 8 states\n" {
		t.Errorf("README.md = %q, want the user template's output", md)
	}
	if code, stdout, stderr := run("check", "-spec", seedSpec, "-out", out, "-templates", dir); code != cli.ExitOK {
		t.Errorf("check with the same templates: exit %d\n%s%s", code, stdout, stderr)
	}
	// Without the flag the embedded template applies, so the output is stale.
	if code, stdout, _ := run("check", "-spec", seedSpec, "-out", out); code != cli.ExitFail || !strings.Contains(stdout, "+# The introspection state machine") {
		t.Errorf("check without -templates: exit %d, diff:\n%s", code, stdout)
	}
}

func TestTemplatesFlagErrors(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	for _, tc := range []struct {
		file, body, want string
	}{
		{"markdwn.tmpl", "x", "markdwn.tmpl replace(s) no fsmgen template"},
		{"dot.tmpl", "{{.Nope}}", "can't evaluate field Nope"},
		// Once accepted and then ignored.
		{"sql_postgres.tmpl", "SELECT 1;", "sql_postgres.tmpl cannot be replaced"},
	} {
		os.RemoveAll(dir)
		os.Mkdir(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run("generate", "-spec", seedSpec, "-out", out, "-templates", dir)
		if code != cli.ExitFail || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 mentioning %q", tc.file, code, stderr, tc.want)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%s: failed generate wrote to the output directory", tc.file)
		}
	}
	if code, _, stderr := run("check", "-spec", seedSpec, "-out", out, "-templates", filepath.Join(dir, "missing")); code != cli.ExitFail || !strings.Contains(stderr, "not a directory") {
		t.Errorf("missing directory: exit %d, stderr %q", code, stderr)
	}
}
