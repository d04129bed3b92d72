package validate

import (
	"regexp"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Text checks a free-text field such as a product name: at most max bytes
// of valid UTF-8, with no control characters and no bidirectional
// formatting characters (which can make text display other than it reads).
// The empty string passes; pair it with Required when the field is.
func (c *Checker) Text(field, v string, max int) {
	switch {
	case len(v) > max:
		c.Add(field, "is %d bytes long, at most %d allowed", len(v), max)
	case !utf8.ValidString(v):
		c.Add(field, "is not valid UTF-8")
	default:
		for i, r := range v {
			if unicode.IsControl(r) || isBidiControl(r) {
				c.Add(field, "contains the control character %U at byte %d", r, i)
				return
			}
		}
	}
}

// isBidiControl reports the Unicode bidirectional formatting characters:
// the marks, embeddings, overrides and isolates.
func isBidiControl(r rune) bool {
	return r == '\u061C' || r == '\u200E' || r == '\u200F' ||
		(r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// MaxSKU is the longest stock-keeping unit.
const MaxSKU = 64

var skuPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// SKU checks a required stock-keeping unit: 1 to MaxSKU characters of
// [A-Za-z0-9._-], starting with a letter or digit.
func (c *Checker) SKU(field, v string) {
	if !c.Required(field, v) {
		return
	}
	if len(v) > MaxSKU || !skuPattern.MatchString(v) {
		c.Add(field, "must be 1 to %d characters of [A-Za-z0-9._-] starting with a letter or digit, got %s", MaxSKU, Quote(v))
	}
}

// maxQuoted bounds how much of an offending value an error quotes.
const maxQuoted = 64

// Quote quotes v for an error message, cut to its first 64 bytes (at a
// rune boundary) so that an error never carries a huge value.
func Quote(v string) string {
	if len(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "…"
}
