//go:build production

package cli

// devTools: a production build has none (see devtools.go).
func devTools() []Command { return nil }
