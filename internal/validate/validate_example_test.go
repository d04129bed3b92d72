package validate_test

import (
	"errors"
	"fmt"

	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// A Checker collects every violation of a message; the RPC layer turns the
// *Error into InvalidArgument with one field violation each.
func ExampleChecker() {
	var c validate.Checker
	c.CustomerID("customer_id", "cus-0042")
	c.Country("country", "Germany")
	c.Currency("currency", "")
	c.PageSize("page_size", 5000)
	var ve *validate.Error
	if errors.As(c.Err(), &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%s: %s\n", v.Field, v.Description)
		}
	}
	// Output:
	// country: must be an ISO 3166-1 alpha-2 country code such as "DE", got "Germany"
	// currency: is required
	// page_size: must be between 0 and 1000, got 5000
}
