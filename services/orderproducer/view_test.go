package orderproducer_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func at(sec int) *timestamppb.Timestamp {
	return timestamppb.New(t0.Add(time.Duration(sec) * time.Second))
}

func orderRec(id, customer string, sec int) stream.Record[*ordersv1.Order] {
	items := []*ordersv1.LineItem{{Sku: "SKU-1001", Name: "Cups", Quantity: 1, UnitPriceMinor: 2499}}
	return stream.Record[*ordersv1.Order]{Key: customer, Value: &ordersv1.Order{
		OrderId: id, CustomerId: customer, Country: "DE", Currency: "EUR", Items: items, AmountMinor: 2499,
		CreatedAt: at(sec), Source: ordersv1.OrderSource_ORDER_SOURCE_API,
	}}
}

func paid(id string, sec int) stream.Record[*paymentsv1.Payment] {
	return stream.Record[*paymentsv1.Payment]{Key: id, Value: &paymentsv1.Payment{
		PaymentId: "pay-" + id, OrderId: id, Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED, ProcessedAt: at(sec),
	}}
}

func declined(id, detail string, sec int) stream.Record[*paymentsv1.Payment] {
	return stream.Record[*paymentsv1.Payment]{Key: id, Value: &paymentsv1.Payment{
		PaymentId: "pay-" + id, OrderId: id, Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED,
		DeclineReason: paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED, Detail: detail, ProcessedAt: at(sec),
	}}
}

func alert(id string, score int32, sec int, rules ...string) stream.Record[*fraudv1.FraudAlert] {
	a := &fraudv1.FraudAlert{AlertId: "alert-" + id, OrderId: id, Score: score, CreatedAt: at(sec)}
	for _, r := range rules {
		a.Rules = append(a.Rules, &fraudv1.RuleHit{Rule: r, Score: score / int32(len(rules))})
	}
	return stream.Record[*fraudv1.FraudAlert]{Key: id, Value: a}
}

func mustGet(t *testing.T, v *orderproducer.View, id string) *ordersv1.OrderView {
	t.Helper()
	ov, ok := v.Get(id)
	if !ok {
		t.Fatalf("order %s not in the view", id)
	}
	return ov
}

func TestViewOrderIsPlacedUntilAuthorizedThenPaid(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	o := orderRec("ord-a001", "cus-0001", 0)
	v.ApplyOrder(o)
	ov := mustGet(t, v, "ord-a001")
	if ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PLACED || !proto.Equal(ov.Order, o.Value) || !ov.UpdatedAt.AsTime().Equal(t0) {
		t.Fatalf("after the order: %v, want PLACED, the order, updated at its creation", ov)
	}
	v.ApplyPayment(paid("ord-a001", 5))
	ov = mustGet(t, v, "ord-a001")
	if ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PAID || ov.DeclineReason != "" || !ov.UpdatedAt.AsTime().Equal(at(5).AsTime()) {
		t.Errorf("after authorization: %v, want PAID updated at the payment", ov)
	}
}

func TestViewDeclinedPaymentGivesTheReason(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	v.ApplyOrder(orderRec("ord-a002", "cus-0001", 0))
	v.ApplyPayment(declined("ord-a002", "amount over the credit limit", 1))
	ov := mustGet(t, v, "ord-a002")
	if ov.Status != ordersv1.OrderStatus_ORDER_STATUS_DECLINED || ov.DeclineReason != "amount over the credit limit" {
		t.Errorf("got %v/%q, want DECLINED with the payment's detail", ov.Status, ov.DeclineReason)
	}
}

func TestViewFraudAlertFlagsTheOrderWithScoreAndRules(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	v.ApplyOrder(orderRec("ord-a003", "cus-0001", 0))
	v.ApplyAlert(alert("ord-a003", 80, 2, "high_amount", "velocity"))
	ov := mustGet(t, v, "ord-a003")
	if !ov.Flagged || ov.FraudScore != 80 || !slices.Equal(ov.FraudRules, []string{"high_amount", "velocity"}) {
		t.Errorf("got flagged=%v score=%d rules=%v, want flagged 80 [high_amount velocity]", ov.Flagged, ov.FraudScore, ov.FraudRules)
	}
	if ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PLACED {
		t.Errorf("an alert changed the payment status to %v", ov.Status)
	}
}

// Payments and alerts come from other topics than the order and may be read
// first: the view keeps them, hides the order until it is known, then joins.
func TestViewJoinsPaymentAndAlertThatArriveBeforeTheOrder(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	v.ApplyPayment(paid("ord-a004", 10))
	v.ApplyAlert(alert("ord-a004", 60, 9, "new_country"))
	if _, ok := v.Get("ord-a004"); ok {
		t.Fatal("Get found an order that was never placed")
	}
	if page, _, _ := v.Page(10, "", ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED, ""); len(page) != 0 {
		t.Fatalf("Page lists %d orders that were never placed", len(page))
	}
	v.ApplyOrder(orderRec("ord-a004", "cus-0002", 0))
	ov := mustGet(t, v, "ord-a004")
	if ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PAID || !ov.Flagged || ov.FraudScore != 60 || ov.Order.GetCustomerId() != "cus-0002" {
		t.Errorf("joined view %v, want the order PAID and flagged 60", ov)
	}
	// The order is older than the payment: updated_at never moves back.
	if !ov.UpdatedAt.AsTime().Equal(at(10).AsTime()) {
		t.Errorf("updated_at %v, want the latest event's %v", ov.UpdatedAt.AsTime(), at(10).AsTime())
	}
}

func TestViewIgnoresDuplicatesAndTombstones(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	first := orderRec("ord-a005", "cus-0001", 0)
	v.ApplyOrder(first)
	v.ApplyOrder(orderRec("ord-a005", "cus-0009", 3)) // same id again: the first order stands
	v.ApplyAlert(alert("ord-a005", 40, 1, "high_amount"))
	v.ApplyAlert(alert("ord-a005", 40, 1, "high_amount")) // redelivered
	v.ApplyPayment(paid("ord-a005", 2))
	v.ApplyPayment(paid("ord-a005", 2))
	v.ApplyOrder(stream.Record[*ordersv1.Order]{Key: "cus-0001", Tombstone: true})
	v.ApplyPayment(stream.Record[*paymentsv1.Payment]{Key: "ord-a005", Tombstone: true})
	v.ApplyAlert(stream.Record[*fraudv1.FraudAlert]{Key: "ord-a005", Tombstone: true})
	ov := mustGet(t, v, "ord-a005")
	if !proto.Equal(ov.Order, first.Value) {
		t.Errorf("order %v, want the first one placed", ov.Order)
	}
	if !slices.Equal(ov.FraudRules, []string{"high_amount"}) || ov.FraudScore != 40 || ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PAID {
		t.Errorf("after duplicates: %v, want PAID, score 40, rules [high_amount] once", ov)
	}
	if page, _, _ := v.Page(10, "", 0, ""); len(page) != 1 {
		t.Errorf("Page lists %d orders, want 1", len(page))
	}
}

func TestViewReplacesValuesSoReadersKeepWhatTheyGot(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	v.ApplyOrder(orderRec("ord-a006", "cus-0001", 0))
	before := mustGet(t, v, "ord-a006")
	snapshot := proto.Clone(before)
	v.ApplyPayment(declined("ord-a006", "no", 1))
	v.ApplyAlert(alert("ord-a006", 90, 2, "velocity"))
	if !proto.Equal(before, snapshot) {
		t.Errorf("a value a reader holds changed from %v to %v", snapshot, before)
	}
}

func TestViewPageFiltersByStatusAndCustomerNewestFirst(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	v.ApplyOrder(orderRec("ord-b001", "cus-0001", 0))
	v.ApplyOrder(orderRec("ord-b002", "cus-0002", 1))
	v.ApplyOrder(orderRec("ord-b003", "cus-0001", 2))
	v.ApplyPayment(paid("ord-b001", 3))
	v.ApplyPayment(declined("ord-b002", "no", 4))
	v.ApplyPayment(paid("ord-b999", 5)) // order unknown: never listed
	ids := func(status ordersv1.OrderStatus, customer string) []string {
		t.Helper()
		page, next, err := v.Page(10, "", status, customer)
		if err != nil || next != "" {
			t.Fatalf("Page: next %q, %v", next, err)
		}
		var out []string
		for _, ov := range page {
			out = append(out, ov.Order.OrderId)
		}
		return out
	}
	cases := []struct {
		status   ordersv1.OrderStatus
		customer string
		want     []string
	}{
		{ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED, "", []string{"ord-b003", "ord-b002", "ord-b001"}},
		{ordersv1.OrderStatus_ORDER_STATUS_PAID, "", []string{"ord-b001"}},
		{ordersv1.OrderStatus_ORDER_STATUS_DECLINED, "", []string{"ord-b002"}},
		{ordersv1.OrderStatus_ORDER_STATUS_PLACED, "", []string{"ord-b003"}},
		{ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED, "cus-0001", []string{"ord-b003", "ord-b001"}},
		{ordersv1.OrderStatus_ORDER_STATUS_DECLINED, "cus-0001", nil},
	}
	for _, c := range cases {
		if got := ids(c.status, c.customer); !slices.Equal(got, c.want) {
			t.Errorf("status %v customer %q: %v, want %v", c.status, c.customer, got, c.want)
		}
	}
	first, next, err := v.Page(2, "", 0, "")
	if err != nil || len(first) != 2 || next == "" {
		t.Fatalf("first page of 2: %d orders, next %q, %v", len(first), next, err)
	}
	rest, next, err := v.Page(2, next, 0, "")
	if err != nil || len(rest) != 1 || rest[0].Order.OrderId != "ord-b001" || next != "" {
		t.Fatalf("second page: %v, next %q, %v; want ord-b001 and no more", rest, next, err)
	}
}

// Three topics feed the view from three goroutines; run with -race.
func TestViewJoinsConcurrentWritersWhateverTheOrder(t *testing.T) {
	v := orderproducer.NewView(store.Limits{})
	const n = 200
	id := func(i int) string { return fmt.Sprintf("ord-c%04d", i) }
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			v.ApplyOrder(orderRec(id(i), "cus-0001", 0))
		}
	})
	wg.Go(func() {
		for i := n - 1; i >= 0; i-- {
			v.ApplyPayment(paid(id(i), 1))
		}
	})
	wg.Go(func() {
		for i := range n {
			v.ApplyAlert(alert(id(i), 50, 2, "velocity"))
			_, _ = v.Get(id(i))
		}
	})
	wg.Wait()
	for i := range n {
		if ov := mustGet(t, v, id(i)); ov.Status != ordersv1.OrderStatus_ORDER_STATUS_PAID || !ov.Flagged {
			t.Fatalf("%s: %v, want PAID and flagged", id(i), ov)
		}
	}
}
