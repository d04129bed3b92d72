package analytics

import (
	"testing"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// FuzzValidators: the service's request validators answer nil or a
// *validate.Error for any decodable request, never panic.
func FuzzValidators(f *testing.F) {
	f.Add([]byte{0x0a, 0x02, 'D', 'E'})
	f.Add([]byte{0x08, 0xff, 0xff, 0x03})
	testenv.FuzzValidators(f, validators, &analyticsv1.GetCountryStatsRequest{}, &analyticsv1.ListCountryStatsRequest{}, &analyticsv1.WatchCountryStatsRequest{})
}
