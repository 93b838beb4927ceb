// Package templates holds the text/template files fsmgen renders SQL, DOT
// and Markdown with. They are embedded so the binary is self-contained.
package templates

import "embed"

// FS holds every *.tmpl file of this directory.
//
//go:embed *.tmpl
var FS embed.FS
