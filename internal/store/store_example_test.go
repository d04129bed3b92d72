package store_test

import (
	"fmt"

	"github.com/kafka-enterprise-orders/orders/internal/store"
)

// A List RPC pages newest first with an opaque token; items added while a
// client pages do not shift its later pages.
func ExampleRecent_Page() {
	orders := store.NewRecent[string](store.Limits{})
	for _, id := range []string{"ord-1", "ord-2", "ord-3", "ord-4", "ord-5"} {
		orders.Put(id, id)
	}
	page, next, _ := orders.Page(2, "", nil)
	fmt.Println(page)
	orders.Put("ord-6", "ord-6") // arrives between two pages
	page, next, _ = orders.Page(2, next, nil)
	fmt.Println(page)
	page, next, _ = orders.Page(2, next, nil)
	fmt.Println(page, next == "")
	// Output:
	// [ord-5 ord-4]
	// [ord-3 ord-2]
	// [ord-1] true
}
