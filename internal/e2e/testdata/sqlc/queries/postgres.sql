-- name: GetNode :one
SELECT uuid, state FROM nodes WHERE uuid = $1;

-- name: CountIn :one
SELECT count(*) FROM nodes WHERE state = $1;

-- name: GetDoor :one
SELECT door FROM nodes WHERE uuid = $1;

-- name: SetDoor :exec
UPDATE nodes SET door = $1 WHERE uuid = $2;

-- name: InStates :many
SELECT uuid FROM nodes WHERE state = ANY(@states::node_state[]) ORDER BY uuid;
