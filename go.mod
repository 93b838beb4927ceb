module github.com/fsmgen/fsmgen

go 1.26.8
