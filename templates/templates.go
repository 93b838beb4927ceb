// Package templates holds the text/template files fsmgen renders DOT,
// Markdown and the migration files' layouts with (each dialect's statements
// are its package's). They are embedded so the binary is self-contained.
package templates

import "embed"

// FS holds every *.tmpl file of this directory.
//
//go:embed *.tmpl
var FS embed.FS
