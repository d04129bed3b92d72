package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

func TestRecentPagesNewestFirstWithoutGapsWhileGrowing(t *testing.T) {
	r := NewRecent[int](Limits{})
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
	r := NewRecent[int](Limits{})
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
		_, _, err := NewRecent[int](Limits{}).Page(5, tok, nil)
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

// TestRecentEvictsTheOldestPastItsLimit: past Limits.Items the oldest keys
// go, Get no longer finds them, and a page lists only what is kept.
func TestRecentEvictsTheOldestPastItsLimit(t *testing.T) {
	r := NewRecent[int](Limits{Items: 3})
	for i := 1; i <= 5; i++ {
		r.Put(fmt.Sprint(i), i)
	}
	r.Put("4", 40) // an update is not an insert: nothing more goes
	for key, want := range map[string]bool{"1": false, "2": false, "3": true, "4": true, "5": true} {
		if _, found := r.Get(key); found != want {
			t.Errorf("Get(%s) found=%v, want %v", key, found, want)
		}
	}
	if r.Len() != 3 || r.Evicted() != 2 {
		t.Errorf("Len %d, Evicted %d; want 3 and 2", r.Len(), r.Evicted())
	}
	if page, next, _ := r.Page(10, "", nil); !slices.Equal(page, []int{5, 40, 3}) || next != "" {
		t.Errorf("page %v (next %q), want [5 40 3]", page, next)
	}
}

// TestRecentPagesStopAtTheirByteBudget: a page of large values ends before
// Limits.PageBytes with a token to the rest, always holds at least one
// value, and the pages together hold every value once.
func TestRecentPagesStopAtTheirByteBudget(t *testing.T) {
	r := NewRecent[*wrapperspb.StringValue](Limits{PageBytes: 2500})
	for i := range 7 {
		r.Put(fmt.Sprint(i), wrapperspb.String(strings.Repeat(fmt.Sprint(i), 1000)))
	}
	r.Put("huge", wrapperspb.String(strings.Repeat("h", 5000))) // alone over the budget
	var sizes []int
	seen := map[string]bool{}
	token := ""
	for {
		vals, next, err := r.Page(100, token, nil)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(vals))
		for _, v := range vals {
			if seen[v.GetValue()] {
				t.Fatalf("value %.3s… listed twice", v.GetValue())
			}
			seen[v.GetValue()] = true
		}
		if next == "" {
			break
		}
		token = next
	}
	if !slices.Equal(sizes, []int{1, 2, 2, 2, 1}) || len(seen) != 8 {
		t.Errorf("page sizes %v holding %d values, want [1 2 2 2 1] holding 8", sizes, len(seen))
	}
}
