package cli

import "runtime/debug"

// Version is fsmgen's module version as the go command recorded it:
// v1.2.3 for "go install …@v1.2.3" or a go.mod requirement, "(devel)" for a
// build inside fsmgen's own repository.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return versionIn(info)
}

// versionIn finds fsmgen in the build info: the main module after
// go install, a dependency after go get -tool.
func versionIn(info *debug.BuildInfo) string {
	const path = "github.com/fsmgen/fsmgen"
	if info.Main.Path == path {
		return info.Main.Version
	}
	for _, d := range info.Deps {
		if d.Path == path {
			if d.Replace != nil {
				d = d.Replace
			}
			if d.Version != "" {
				return d.Version
			}
		}
	}
	return "(devel)"
}
