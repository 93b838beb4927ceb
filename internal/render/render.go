// Package render turns generated DOT files into pictures with Graphviz.
//
// Unlike the emitters it runs an external program, and its output depends on
// the Graphviz version, so the pictures are written on request
// (fsmgen generate -render svg) and are not part of fsmgen check.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// Formats lists the -render values, which are also dot's -T formats.
var Formats = []string{"svg"}

// ErrNoDot is returned when Graphviz's dot is not on PATH.
var ErrNoDot = errors.New("rendering needs Graphviz's dot program on PATH; install the graphviz package (e.g. apt-get install graphviz)")

// Pictures renders every *.dot file of files with dot -T<format> and
// returns the pictures under the same path with the format's extension.
func Pictures(files map[string][]byte, format string) (map[string][]byte, error) {
	if !slices.Contains(Formats, format) {
		return nil, fmt.Errorf("unknown render format %q; fsmgen renders %s", format, strings.Join(Formats, ", "))
	}
	dot, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoDot
	}
	out := map[string][]byte{}
	for p, src := range files {
		base, ok := strings.CutSuffix(p, ".dot")
		if !ok {
			continue
		}
		pic, err := run(dot, format, src)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", p, err)
		}
		out[base+"."+format] = pic
	}
	return out, nil
}

func run(dot, format string, src []byte) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(dot, "-T"+format)
	cmd.Stdin = bytes.NewReader(src)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dot: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	// dot reports some problems (unknown attributes, bad colors) as
	// warnings with exit status 0; a template that causes them should not
	// pass unnoticed.
	if w := strings.TrimSpace(stderr.String()); w != "" {
		return nil, fmt.Errorf("dot: %s", w)
	}
	return stdout.Bytes(), nil
}
