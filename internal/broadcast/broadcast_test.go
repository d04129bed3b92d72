package broadcast

import "testing"

func TestHubDeliversDropsSlowAndCloses(t *testing.T) {
	h := NewHub[int]()
	fast := h.Subscribe(10)
	slow := h.Subscribe(1)
	h.Publish(1)
	h.Publish(2) // slow's buffer is full: it is dropped
	if got := <-fast.C(); got != 1 {
		t.Fatalf("fast got %d", got)
	}
	if got := <-fast.C(); got != 2 {
		t.Fatalf("fast got %d", got)
	}
	if got, ok := <-slow.C(); !ok || got != 1 {
		t.Fatalf("slow first = %d %v", got, ok)
	}
	if _, ok := <-slow.C(); ok || !slow.Dropped() {
		t.Fatal("slow subscriber not dropped")
	}
	h.Close()
	if _, ok := <-fast.C(); ok {
		t.Fatal("feed open after Close")
	}
	if _, ok := <-h.Subscribe(1).C(); ok {
		t.Fatal("subscription after Close is open")
	}
	if h.Subscribers() != 0 {
		t.Fatal("subscribers left")
	}
}
