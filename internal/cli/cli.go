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
	"path"
	"strings"
	"time"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/gen"
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

const usage = `fsmgen generates finite state machines' Go packages, SQL migrations and
diagrams from YAML specs, and checks that checked-in output matches them.

Usage:
  fsmgen init                               write a starter fsmgen.yaml, spec and go:generate file
  fsmgen generate [-config FILE] [-templates DIR] [-render svg]
                                            write every output whose bytes changed
  fsmgen check    [-config FILE] [-templates DIR]
                                            exit 1 with a unified diff when output is stale
  fsmgen validate [-config FILE]            report every problem generate would refuse
  fsmgen verify   -db URL [-table NAME] [-config FILE]
                                            exit 1 listing every difference between a
                                            live database and the migration history
  fsmgen version                            print fsmgen's module version

Without flags, generate, check, validate and verify do every machine of the
project file fsmgen.yaml, found in the current directory or its parents.

Flags:
  -config FILE the project file (instead of looking for fsmgen.yaml)
  -spec FILE   one spec without a project file ("-" reads standard input)
  -out DIR     its output directory (default generated); validate -spec
               checks the migration history there only when -out is given
  -templates DIR
               a directory of templates (dot.tmpl, markdown.tmpl) that
               replace the embedded ones of the same name; the SQL
               templates cannot be replaced
  -db URL      the database verify inspects, as goose or golang-migrate take
               it: postgres://…, mysql://user@tcp(host:port)/db or the DSN
               user@tcp(host:port)/db, sqlite://path or a file path,
               spanner://projects/P/instances/I/databases/D (a binary
               built with -tags spanner)
  -table NAME  the migration tool's version table, where verify checks that
               the last migration ran to its end (default goose_db_version,
               or schema_migrations for golang-migrate, SchemaMigrations on
               Spanner, or the URL's x-migrations-table)
  -render svg  also render every generated .dot file with Graphviz's dot
               (must be on PATH); the pictures are not covered by check,
               since they depend on the Graphviz version

Problems are reported as file:line:col: message, all at once, with exit
status 1. generate writes nothing unless the whole pipeline succeeds, and then
only files whose bytes change, each through a temporary file and a rename,
holding the run lock .fsmgen.lock in the output root meanwhile. It removes
Go, DOT and Markdown files it wrote earlier and would not write now (a
renamed machine), and reports migrations it would not write now (a dropped
dialect or machine) without touching them; check fails on both.
check and validate never write.

In a Go module that pins fsmgen as a tool (go get -tool
github.com/fsmgen/fsmgen/cmd/fsmgen; fsmgen init writes this file), a file
such as

  //go:generate go tool fsmgen generate

makes "go generate ./..." regenerate everything.
`

// lockWait bounds how long generate waits for another run on the same
// output directory; a run takes well under a second, so a holder this slow
// is hung, and failing says which process to look at.
var lockWait = 2 * time.Minute

// stdin is what "-spec -" reads; tests replace it.
var stdin io.Reader = os.Stdin

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
	case "generate", "check", "validate", "verify", "init", "version":
	default:
		fmt.Fprintf(stderr, "fsmgen: unknown command %q\n\n%s", cmd, usage)
		return ExitUsage
	}

	fl := flag.NewFlagSet("fsmgen "+cmd, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	var configPath, specPath, templateDir, renderFormat string
	out := "generated"
	if cmd != "init" && cmd != "version" {
		fl.StringVar(&configPath, "config", "", "")
		fl.StringVar(&specPath, "spec", "", "")
		fl.StringVar(&out, "out", out, "")
	}
	if cmd == "generate" || cmd == "check" {
		fl.StringVar(&templateDir, "templates", "", "")
	}
	if cmd == "generate" {
		fl.StringVar(&renderFormat, "render", "", "")
	}
	var dbURL, versionTable string
	if cmd == "verify" {
		fl.StringVar(&dbURL, "db", "", "")
		fl.StringVar(&versionTable, "table", "", "")
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
	switch cmd {
	case "version":
		fmt.Fprintf(stdout, "fsmgen %s\n", Version())
		return ExitOK
	case "init":
		return runInit(".", stdout, stderr)
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["config"] && (set["spec"] || set["out"]) {
		fmt.Fprintf(stderr, "fsmgen %s: -config and -spec/-out are exclusive: a project file says where each machine's spec and output are\n", cmd)
		return ExitUsage
	}
	if set["out"] && !set["spec"] {
		fmt.Fprintf(stderr, "fsmgen %s: -out needs -spec; a project's outputs are set in its project file\n", cmd)
		return ExitUsage
	}

	var p *plan
	var err error
	if set["spec"] {
		// validate -spec alone checks the spec; with -out, the migration
		// history there too.
		p, err = singlePlan(specPath, out, cmd == "validate" && !set["out"])
	} else {
		p, err = projectPlan(configPath)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFail
	}
	if cmd == "verify" {
		return runVerify(p, dbURL, versionTable, stdout, stderr)
	}
	var opts gen.Options
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
	if cmd == "validate" && p.specOnly {
		return ExitOK // no output directory: nothing more to check against
	}
	if cmd == "generate" {
		// Held from reading the output (migration history) to the last
		// rename, so concurrent runs cannot interleave their files.
		unlock, err := writer.Lock(p.root, lockWait, func(msg string) { fmt.Fprintf(stderr, "fsmgen: %s\n", msg) })
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen: %v\n", err)
			return ExitFail
		}
		defer unlock()
	}
	files, err := p.generate(opts)
	if dl := (diag.List{}); errors.As(err, &dl) {
		fmt.Fprintln(stderr, err) // positioned like every other spec problem
		return ExitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	if cmd == "validate" {
		return ExitOK
	}
	left, err := p.leftovers(files)
	if err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	for _, r := range left.removed {
		files[r] = nil
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
	changes, err := writer.Changes(p.root, files)
	if err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	if cmd == "check" {
		if len(changes) == 0 && len(left.stranded) == 0 {
			return ExitOK
		}
		fmt.Fprint(stdout, writer.Diff(p.root, changes))
		left.report(stderr, p.root)
		if len(changes) > 0 {
			fmt.Fprintf(stderr, "fsmgen: %d generated file(s) in %s are stale; run fsmgen generate\n", len(changes), p.root)
		}
		return ExitFail
	}
	if err := writer.Write(p.root, changes); err != nil {
		fmt.Fprintf(stderr, "fsmgen: %v\n", err)
		return ExitFail
	}
	for _, c := range changes {
		if c.New == nil {
			fmt.Fprintf(stderr, "fsmgen: removed %s: fsmgen wrote it, and no machine generates it any more\n", p.display(c.Path))
		}
	}
	left.report(stderr, p.root)
	fmt.Fprintln(stdout, p.summary(files, changes))
	return ExitOK
}

// summary is generate's one line: what it wrote, the new migrations by
// name, what it removed.
func (p *plan) summary(files gen.Files, changes []writer.Change) string {
	var written, removed int
	var migrations []string
	for _, c := range changes {
		switch {
		case c.New == nil:
			removed++
		case c.Old == nil && path.Ext(c.Path) == ".sql" && !p.isSchema(c.Path):
			migrations = append(migrations, p.display(c.Path))
			written++
		default:
			written++
		}
	}
	kept := 0
	for _, b := range files {
		if b != nil {
			kept++
		}
	}
	what := fmt.Sprintf("%d machine(s)", len(p.machines))
	if written+removed == 0 {
		return fmt.Sprintf("fsmgen: %s, %d file(s), nothing changed", what, kept)
	}
	line := fmt.Sprintf("fsmgen: %s, %d file(s) written, %d unchanged", what, written, kept-written)
	if removed > 0 {
		line += fmt.Sprintf(", %d removed", removed)
	}
	if len(migrations) > 0 {
		line += fmt.Sprintf("; new migration(s): %s", strings.Join(migrations, ", "))
	}
	return line
}

// Load reads, decodes and validates a spec; "-" reads standard input.
func Load(specPath string) (*model.Machine, error) {
	_, m, err := load(specPath)
	return m, err
}

// load reads the spec at path; positions name it so, or <stdin>.
func load(path string) (*spec.File, *model.Machine, error) {
	var data []byte
	var err error
	name := path
	if path == "-" {
		data, err = spec.Read(stdin)
		name = "<stdin>"
	} else {
		data, err = spec.ReadFile(path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fsmgen: %w", err)
	}
	return model.Load(name, data)
}
