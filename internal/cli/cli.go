// Package cli implements the fsmgen command line: subcommands, flags and
// exit codes. main only forwards to Run, so tests drive the real thing.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"time"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
	"github.com/fsmgen/fsmgen/internal/model"
	"github.com/fsmgen/fsmgen/internal/render"
	"github.com/fsmgen/fsmgen/internal/spec"
	"github.com/fsmgen/fsmgen/internal/tmpl"
	"github.com/fsmgen/fsmgen/internal/writer"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitFail  = 1 // invalid spec, drift, or a failed write
	ExitUsage = 2
)

const usage = `fsmgen generates a finite state machine's Go package (and its companions)
from one YAML spec, and checks that checked-in output matches the spec.

Usage:
  fsmgen generate [-spec FILE] [-out DIR] [-templates DIR] [-render svg]
                                            write every output whose bytes changed
  fsmgen check    [-spec FILE] [-out DIR] [-templates DIR]
                                            exit 1 with a unified diff when output is stale
  fsmgen validate [-spec FILE]              report every problem in the spec

Flags:
  -spec FILE   the spec (default spec/states.yaml)
  -out DIR     the output directory (default generated)
  -templates DIR
               a directory of templates (dot.tmpl, markdown.tmpl, ...) that
               replace the embedded ones of the same name
  -render svg  also render every generated .dot file with Graphviz's dot
               (must be on PATH); the pictures are not covered by check,
               since they depend on the Graphviz version

Problems are reported as file:line:col: message, all at once, with exit
status 1. generate writes nothing unless the whole pipeline succeeds, and then
only files whose bytes change, each through a temporary file and a rename,
holding the lock file .fsmgen.lock in the output directory meanwhile.
check and validate never write.

In a Go module, a file in the output directory such as

  //go:generate go run ../cmd/fsmgen generate -spec ../spec/states.yaml -out .

makes "go generate ./..." regenerate everything.
`

// lockWait bounds how long generate waits for another run on the same
// output directory; a run takes well under a second, so a holder this slow
// is hung, and failing says which process to look at.
var lockWait = 2 * time.Minute

// Run executes fsmgen with args (without the program name) and returns the
// exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	case "generate", "check", "validate":
	default:
		fmt.Fprintf(stderr, "fsmgen: unknown command %q\n\n%s", cmd, usage)
		return ExitUsage
	}

	fl := flag.NewFlagSet("fsmgen "+cmd, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	specPath := fl.String("spec", "spec/states.yaml", "")
	out := "generated"
	var templateDir, renderFormat string
	if cmd != "validate" {
		fl.StringVar(&out, "out", out, "")
		fl.StringVar(&templateDir, "templates", "", "")
	}
	if cmd == "generate" {
		fl.StringVar(&renderFormat, "render", "", "")
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return ExitOK
		}
		fmt.Fprintf(stderr, "fsmgen %s: %v\n\n%s", cmd, err, usage)
		return ExitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "fsmgen %s: unexpected argument %q\n\n%s", cmd, fl.Arg(0), usage)
		return ExitUsage
	}

	m, err := Load(*specPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFail
	}
	if cmd == "validate" {
		return ExitOK
	}
	opts := gen.Options{Out: os.DirFS(out), Now: time.Now, LegacyHistory: sqlmig.LegacyHistory}
	if templateDir != "" {
		if st, err := os.Stat(templateDir); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "fsmgen: -templates %s: not a directory\n", templateDir)
			return ExitFail
		}
		opts.Templates = os.DirFS(templateDir)
		if err := tmpl.CheckOverrides(opts.Templates); err != nil {
			fmt.Fprintf(stderr, "fsmgen: %s: %v\n", templateDir, err)
			return ExitFail
		}
	}
	if cmd == "generate" {
		// Held from reading the output (migration history) to the last
		// rename, so concurrent runs cannot interleave their files.
		unlock, err := writer.Lock(out, lockWait, func(msg string) { fmt.Fprintf(stderr, "fsmgen: %s\n", msg) })
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen: %v\n", err)
			return ExitFail
		}
		defer unlock()
	}
	files, err := gen.Generate(m, opts)
	if dl := (diag.List{}); errors.As(err, &dl) {
		fmt.Fprintln(stderr, err) // positioned like every other spec problem
		return ExitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	if renderFormat != "" {
		// Rendered before anything is written, so a missing dot leaves
		// the output directory untouched.
		pics, err := render.Pictures(files, renderFormat)
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen: %v\n", err)
			return ExitFail
		}
		maps.Copy(files, pics)
	}
	changes, err := writer.Changes(out, files)
	if err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	if cmd == "check" {
		if len(changes) == 0 {
			return ExitOK
		}
		fmt.Fprint(stdout, writer.Diff(out, changes))
		fmt.Fprintf(stderr, "fsmgen: %d generated file(s) in %s are stale; run fsmgen generate\n", len(changes), out)
		return ExitFail
	}
	if err := writer.Write(out, changes); err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	return ExitOK
}

// Load reads, decodes and validates a spec.
func Load(specPath string) (*model.Machine, error) {
	data, err := spec.ReadFile(specPath)
	if err != nil {
		return nil, fmt.Errorf("fsmgen: %w", err)
	}
	return model.Parse(specPath, data)
}
