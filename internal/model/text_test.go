package model

import (
	"strings"
	"testing"
)

// Every renderer of spec text must end a line where any reader would, and
// Mermaid text must not contain what Mermaid or the Markdown fence around it
// read as syntax.
func TestTextRenderers(t *testing.T) {
	breaks := "a\r\nb\rc\u2028d\u2029e\u0085f\ng"
	if got, want := strings.Join(Lines(breaks), "|"), "a|b|c|d|e|f|g"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	if got, want := SQLComment(breaks+"\n-- +goose Down"), "a b c d e f g -- +goose Down"; got != want {
		t.Errorf("SQLComment = %q, want %q", got, want)
	}
	if got, want := DOTString(breaks), `"a\nb\nc\nd\ne\nf\ng"`; got != want {
		t.Errorf("DOTString = %q, want %q", got, want)
	}
	if got, want := MarkdownText("1. a <!-- b"), `1\. a \<!-- b`; got != want {
		t.Errorf("MarkdownText = %q, want %q", got, want)
	}
	if got, want := MarkdownParagraphs("a\nb\n\n\nc"), "a b\n\nc"; got != want {
		t.Errorf("MarkdownParagraphs = %q, want %q", got, want)
	}
	got := MermaidText("%%{init: {}}%%\n\"x\"; ```")
	if strings.ContainsAny(got, "%\"{}:`\n") {
		t.Errorf("MermaidText left syntax in %q", got)
	}
	if want := "#37;#37;#123;init#58; #123;#125;#125;#37;#37; #34;x#34;#59; #96;#96;#96;"; got != want {
		t.Errorf("MermaidText = %q, want %q", got, want)
	}
}
