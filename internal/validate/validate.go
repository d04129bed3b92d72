// Package validate checks the platform's input: RPC requests and Kafka
// events alike. A failed check is an *Error listing each offending field,
// which the RPC layer turns into InvalidArgument with google.rpc.BadRequest
// details and the Kafka layer into a dead letter.
package validate

import (
	"fmt"
	"regexp"
	"strings"
)

// Violation is one offending field.
type Violation struct {
	Field       string // path such as "items[2].quantity"
	Description string // what is wrong, for people
}

// Error lists the violations of one message.
type Error struct {
	Violations []Violation
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return "invalid " + strings.Join(parts, "; ")
}

// Checker collects violations; its zero value is ready to use.
type Checker struct {
	violations []Violation
}

// Add records a violation of field.
func (c *Checker) Add(field, format string, args ...any) {
	c.violations = append(c.violations, Violation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Err returns an *Error when any violation was recorded, else nil.
func (c *Checker) Err() error {
	if len(c.violations) == 0 {
		return nil
	}
	return &Error{Violations: c.violations}
}

// Required checks that a string field is set.
func (c *Checker) Required(field, v string) bool {
	if strings.TrimSpace(v) == "" {
		c.Add(field, "is required")
		return false
	}
	return true
}

var (
	orderIDPattern    = regexp.MustCompile(`^ord-[a-z0-9-]{4,64}$`)
	customerIDPattern = regexp.MustCompile(`^cus-[a-z0-9-]{1,64}$`)
)

// OrderID checks a required order id ("ord-" and 4 to 64 of [a-z0-9-]).
func (c *Checker) OrderID(field, v string) {
	if c.Required(field, v) && !orderIDPattern.MatchString(v) {
		c.Add(field, "must look like \"ord-\" followed by 4 to 64 characters of [a-z0-9-], got %s", Quote(v))
	}
}

// CustomerID checks a required customer id ("cus-" and 1 to 64 of [a-z0-9-]).
func (c *Checker) CustomerID(field, v string) {
	if c.Required(field, v) && !customerIDPattern.MatchString(v) {
		c.Add(field, "must look like \"cus-\" followed by 1 to 64 characters of [a-z0-9-], got %s", Quote(v))
	}
}

// Country checks a required ISO 3166-1 alpha-2 code.
func (c *Checker) Country(field, v string) {
	if c.Required(field, v) && !IsCountry(v) {
		c.Add(field, "must be an ISO 3166-1 alpha-2 country code such as \"DE\", got %s", Quote(v))
	}
}

// Currency checks a required ISO 4217 code.
func (c *Checker) Currency(field, v string) {
	if c.Required(field, v) && !IsCurrency(v) {
		c.Add(field, "must be an ISO 4217 currency code such as \"EUR\", got %s", Quote(v))
	}
}

// Positive checks n > 0.
func (c *Checker) Positive(field string, n int64) {
	if n <= 0 {
		c.Add(field, "must be positive, got %d", n)
	}
}

// Range checks lo <= n <= hi.
func (c *Checker) Range(field string, n, lo, hi int64) {
	if n < lo || n > hi {
		c.Add(field, "must be between %d and %d, got %d", lo, hi, n)
	}
}

// MaxPageSize is the largest page a List RPC returns.
const MaxPageSize = 1000

// DefaultPageSize is used when a request leaves page_size at 0.
const DefaultPageSize = 50

// PageSize checks a page size (0 means the default).
func (c *Checker) PageSize(field string, n int32) {
	c.Range(field, int64(n), 0, MaxPageSize)
}

// PageSizeOrDefault returns n, or DefaultPageSize when n is 0.
func PageSizeOrDefault(n int32) int {
	if n == 0 {
		return DefaultPageSize
	}
	return int(n)
}
