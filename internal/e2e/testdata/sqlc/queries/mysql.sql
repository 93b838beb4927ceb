-- name: GetNode :one
SELECT uuid, state FROM nodes WHERE uuid = ?;

-- name: CountIn :one
SELECT count(*) FROM nodes WHERE state = ?;

-- name: GetDoor :one
SELECT door FROM nodes WHERE uuid = ?;

-- name: SetDoor :exec
UPDATE nodes SET door = ? WHERE uuid = ?;
