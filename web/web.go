// Package web holds the operations dashboard as built into web/dist (from
// web/src by `make generate`; make drift checks it is current), which
// `orders dev` serves together with the services' APIs.
package web

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built dashboard: index.html and its assets.
func Dist() (fs.FS, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, fmt.Errorf("dashboard files: %w", err)
	}
	return sub, nil
}
