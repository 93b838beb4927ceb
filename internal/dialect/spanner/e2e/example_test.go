package e2e

import (
	"context"

	"cloud.google.com/go/spanner"

	"github.com/fsmgen/fsmgen/internal/dialect/spanner/e2e/door"
)

// openDoor opens the door and records who did, in one transaction.
func openDoor(ctx context.Context, client *spanner.Client, s *door.SpannerStore, id, who string) error {
	_, err := client.ReadWriteTransaction(ctx, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
		if _, _, err := s.Fire(ctx, tx, id, door.EventOpen); err != nil {
			return err // a TransitionError, ErrNotFound...: nothing is written
		}
		_, err := tx.Update(ctx, spanner.Statement{
			SQL:    "UPDATE doors SET opened_by = @who WHERE id = @id",
			Params: map[string]any{"who": who, "id": id},
		})
		return err
	})
	return err
}
