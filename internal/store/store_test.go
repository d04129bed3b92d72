package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

func TestRecentPagesNewestFirstWithoutGapsWhileGrowing(t *testing.T) {
	r := NewRecent[int]()
	for i := 1; i <= 25; i++ {
		r.Put(fmt.Sprint(i), i)
	}
	var got []int
	token := ""
	for page := 0; ; page++ {
		vals, next, err := r.Page(10, token, nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, vals...)
		if page == 0 {
			r.Put("new", 100) // added while paging: must not shift later pages
		}
		if next == "" {
			break
		}
		token = next
	}
	want := make([]int, 0, 25)
	for i := 25; i >= 1; i-- {
		want = append(want, i)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages = %v, want %v", got, want)
	}
}

func TestRecentFilterAndUpdateKeepsPlace(t *testing.T) {
	r := NewRecent[int]()
	for i := 1; i <= 6; i++ {
		r.Put(fmt.Sprint(i), i)
	}
	r.Update("2", func(old int, found bool) int { return old * 10 })
	even := func(v int) bool { return v%2 == 0 }
	vals, next, err := r.Page(2, "", even)
	if err != nil || !slices.Equal(vals, []int{6, 4}) || next == "" {
		t.Fatalf("page 1 = %v %q %v", vals, next, err)
	}
	vals, next, err = r.Page(2, next, even)
	if err != nil || !slices.Equal(vals, []int{20}) || next != "" {
		t.Fatalf("page 2 = %v %q %v", vals, next, err)
	}
}

func TestBadTokenIsValidationErrorOnPageToken(t *testing.T) {
	for _, tok := range []string{"garbage!", encodeToken("x"), "djE6LTU"} {
		_, _, err := NewRecent[int]().Page(5, tok, nil)
		var ve *validate.Error
		if !errors.As(err, &ve) || ve.Violations[0].Field != "page_token" {
			t.Errorf("token %q: err = %v, want validation error on page_token", tok, err)
		}
	}
}

func TestSortedPagesByKey(t *testing.T) {
	s := NewSorted[string]()
	for _, k := range []string{"US", "DE", "FR", "AT", "GB"} {
		s.Put(k, k)
	}
	var got []string
	token := ""
	for {
		vals, next, err := s.Page(2, token)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, vals...)
		if next == "" {
			break
		}
		token = next
	}
	if want := []string{"AT", "DE", "FR", "GB", "US"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
