package store

import (
	"bytes"
	"fmt"

	. "github.com/dave/jennifer/jen"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/model"
)

const spannerPkg = "cloud.google.com/go/spanner"

// emitSpanner returns the SpannerStore, the Store over Spanner's Go client
// for dialect d: its own file, so that the package imports the client only
// when the spec lists spanner.
func emitSpanner(m *model.Machine, d dialect.Dialect) ([]byte, error) {
	f := NewFile(m.Package)
	f.HeaderComment(golang.Header)
	f.ImportName(spannerPkg, "spanner")
	f.Comment("NewSpannerStore returns the SpannerStore, configured by opts.")
	f.Func().Id("NewSpannerStore").Params(Id("opts").Op("...").Id("StoreOption")).Op("*").Id("SpannerStore").Block(
		Return(Op("&").Id("SpannerStore").Values(Id("s").Op(":").Id("NewStore").Call(Id(d.GoName()), Id("opts").Op("...")))),
	)
	if m.SQL.Store.Version != "" {
		declareMoveAt(f, m, "SpannerStore", Op("*").Qual(spannerPkg, "ReadWriteTransaction"), Id("spannerRun").Call(Id("db")))
	}
	if len(m.Timeouts) > 0 {
		ctx, now, client := Id("ctx").Qual("context", "Context"), Id("now").Qual("time", "Time"), Id("c").Op("*").Qual(spannerPkg, "Client")
		expired := []Code{Index().Id("Expired"), Error()}
		f.Comment("Expire is Store.Expire in tx: every batch in the caller's transaction.")
		f.Func().Params(Id("s").Op("*").Id("SpannerStore")).Id("Expire").Params(ctx, Id("tx").Op("*").Qual(spannerPkg, "ReadWriteTransaction"), now, Id("limit").Int()).Params(expired...).Block(
			Return(Id("s").Dot("s").Dot("expire").Call(Id("ctx"), Id("spannerRun").Call(Id("tx")), Id("now"), Id("limit"))),
		)
		f.Comment("ExpireIn is Expire in read-write transactions of its own, one per")
		f.Comment(fmt.Sprintf("batch of up to %d rows.", d.SweepBatch()))
		f.Func().Params(Id("s").Op("*").Id("SpannerStore")).Id("ExpireIn").Params(ctx, client, now, Id("limit").Int()).Params(expired...).Block(
			Return(Id("s").Dot("s").Dot("expire").Call(Id("ctx"), Id("spannerTx").Call(Id("c")), Id("now"), Id("limit"))),
		)
		f.Comment("RunExpiry is Store.RunExpiry with ExpireIn.")
		f.Func().Params(Id("s").Op("*").Id("SpannerStore")).Id("RunExpiry").Params(ctx, client, Id("every").Qual("time", "Duration"), Id("limit").Int()).Error().Block(
			Return(Id("runExpiry").Call(Id("ctx"), Id("every"), Func().Params(now).Params(expired...).Block(
				Return(Id("s").Dot("ExpireIn").Call(Id("ctx"), Id("c"), Id("now"), Id("limit"))),
			))),
		)
	}
	// The imports the constant part needs besides those above.
	for _, q := range [][2]string{{"context", "Background"}, {"database/sql", "ErrNoRows"}, {"database/sql/driver", "IsValue"}, {"errors", "Is"}, {"strconv", "Itoa"}, {"google.golang.org/api/iterator", "Done"}, {spannerPkg, "ErrCode"}, {spannerPkg + "/apiv1/spannerpb", "TypeCode_INT64"}} {
		f.Var().Id("_").Op("=").Qual(q[0], q[1])
	}
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering the Spanner store of machine %s: %w", m.Name, err)
	}
	buf.WriteString(spannerMethods)
	return buf.Bytes(), nil
}
