package store

import (
	"bytes"
	"fmt"

	. "github.com/dave/jennifer/jen"

	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/model"
)

const (
	pgx    = "github.com/jackc/pgx/v5"
	pgconn = "github.com/jackc/pgx/v5/pgconn"
)

// emitPgx returns the pgx flavour of the store (sql.drivers lists pgx): its
// own file, so that the package imports pgx only when the spec asks.
func emitPgx(m *model.Machine) ([]byte, error) {
	f := NewFile(m.Package)
	f.HeaderComment(golang.Header)
	f.ImportName(pgx, "pgx")
	ctx := Qual("context", "Context")
	// The model lets pgx through only with a dialect it drives.
	d, _ := dialects.DrivenBy("pgx", m.SQL.Dialects)
	enum := d.QuoteIdent(m.SQL.Enum)
	f.Comment("PgxDBTX is what a PgxStore needs from a pgx handle: *pgxpool.Pool,")
	f.Comment("*pgx.Conn and pgx.Tx satisfy it.")
	f.Type().Id("PgxDBTX").Interface(
		Id("Exec").Params(Id("ctx").Add(ctx), Id("sql").String(), Id("args").Op("...").Any()).Params(Qual(pgconn, "CommandTag"), Error()),
		Id("Query").Params(Id("ctx").Add(ctx), Id("sql").String(), Id("args").Op("...").Any()).Params(Qual(pgx, "Rows"), Error()),
		Id("QueryRow").Params(Id("ctx").Add(ctx), Id("sql").String(), Id("args").Op("...").Any()).Qual(pgx, "Row"),
	)
	f.Comment("PgxStore is the Store over pgx, for PostgreSQL: the same calls, with the")
	f.Comment("same statements and guarantees, on a *pgxpool.Pool, a *pgx.Conn, or")
	f.Comment("inside the caller's pgx.Tx with its other writes. Each call is one")
	f.Comment("statement, which appends the history row too: none needs a transaction")
	f.Comment("of its own. A PgxStore is safe for concurrent use.")
	f.Type().Id("PgxStore").Struct(Id("s").Op("*").Id("Store"))
	f.Comment("NewPgxStore returns the PgxStore, configured by opts.")
	f.Func().Id("NewPgxStore").Params(Id("opts").Op("...").Id("StoreOption")).Op("*").Id("PgxStore").Block(
		Return(Op("&").Id("PgxStore").Values(Id("s").Op(":").Id("NewStore").Call(Id(d.GoName()), Id("opts").Op("...")))),
	)
	f.Comment("RegisterPgxTypes registers the state column's enum type and its array")
	f.Comment("type with conn's type map, which pgx needs to encode a []State")
	f.Comment("parameter (state = ANY($1::the_enum[])) and to decode the enum's arrays.")
	f.Comment("Call it on each new connection: from pgxpool.Config.AfterConnect, say.")
	f.Func().Id("RegisterPgxTypes").Params(Id("ctx").Add(ctx), Id("conn").Op("*").Qual(pgx, "Conn")).Error().Block(
		For(List(Id("_"), Id("name")).Op(":=").Range().Index().String().Values(Lit(enum), Lit(enum+"[]"))).Block(
			List(Id("t"), Err()).Op(":=").Id("conn").Dot("LoadType").Call(Id("ctx"), Id("name")),
			If(Err().Op("!=").Nil()).Block(Return(Err())),
			Id("conn").Dot("TypeMap").Call().Dot("RegisterType").Call(Id("t")),
		),
		Return(Nil()),
	)
	params := func(extra ...Code) []Code {
		return append([]Code{Id("ctx").Add(ctx), Id("db").Id("PgxDBTX"), Id("key").Any()}, extra...)
	}
	run := Id("pgxRun").Call(Id("db"))
	opts := Id("opts").Op("...").Id("Option")
	f.Comment("Create is Store.Create over pgx.")
	f.Func().Params(Id("s").Op("*").Id("PgxStore")).Id("Create").Params(params(Id("st").Id("State"), opts)...).Error().Block(
		Return(Id("s").Dot("s").Dot("create").Call(Id("ctx"), run, Id("key"), Id("st"), Id("opts"))),
	)
	f.Comment("Fire is Store.Fire over pgx.")
	f.Func().Params(Id("s").Op("*").Id("PgxStore")).Id("Fire").Params(params(Id("ev").Id("Event"), opts)...).Params(Id("from"), Id("to").Id("State"), Err().Error()).Block(
		Return(Id("s").Dot("s").Dot("fireEvent").Call(Id("ctx"), run, Id("key"), Id("ev"), Id("opts"))),
	)
	f.Comment("Move is Store.Move over pgx.")
	f.Func().Params(Id("s").Op("*").Id("PgxStore")).Id("Move").Params(params(Id("from").Id("State"), Id("ev").Id("Event"), opts)...).Params(Id("to").Id("State"), Err().Error()).Block(
		Return(Id("s").Dot("s").Dot("moveFrom").Call(Id("ctx"), run, Id("key"), Id("from"), Id("ev"), Id("opts"))),
	)
	f.Comment("Get is Store.Get over pgx.")
	f.Func().Params(Id("s").Op("*").Id("PgxStore")).Id("Get").Params(params()...).Params(Id("Row"), Error()).Block(
		Return(Id("s").Dot("s").Dot("get").Call(Id("ctx"), Id("pgxConn").Values(Id("db")), Id("key"))),
	)
	if m.SQL.Store.Version != "" {
		declareMoveAt(f, m, "PgxStore", Id("PgxDBTX"), run)
	}
	if len(m.Timeouts) > 0 {
		f.Comment("Expire is Store.Expire over pgx: one statement per timeout.")
		f.Func().Params(Id("s").Op("*").Id("PgxStore")).Id("Expire").Params(Id("ctx").Add(ctx), Id("db").Id("PgxDBTX"), Id("now").Qual("time", "Time"), Id("limit").Int()).Params(Index().Id("Expired"), Error()).Block(
			Return(Id("s").Dot("s").Dot("expire").Call(Id("ctx"), run, Id("now"), Id("limit"))),
		)
	}
	// The imports the constant part needs besides those above.
	f.Var().Id("_").Op("=").Qual("database/sql", "ErrNoRows")
	f.Var().Id("_").Op("=").Qual("errors", "Is")
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering the pgx store of machine %s: %w", m.Name, err)
	}
	buf.WriteString(pgxMethods)
	return buf.Bytes(), nil
}
