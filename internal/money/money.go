// Package money converts amounts between the platform's currencies at
// fixed reference rates: the scale the payment and fraud rules compare
// amounts on.
package money

import "math"

// eurPerUnit are reference exchange rates: euros per major unit of each
// market currency. Rules that need one scale across currencies (amount
// bounds, fraud thresholds) convert with them; they are a fixed table, not
// market data.
var eurPerUnit = map[string]float64{
	"EUR": 1, "USD": 0.92, "GBP": 1.17, "PLN": 0.23, "SEK": 0.087, "CAD": 0.68,
	"JPY": 0.0062, "BRL": 0.17, "INR": 0.011, "NGN": 0.0006, "AUD": 0.61,
}

// ToEUR converts an amount in minor units of currency to euros (major
// units); ok is false for a currency without a reference rate.
func ToEUR(amountMinor int64, currency string) (eur float64, ok bool) {
	rate, ok := eurPerUnit[currency]
	if !ok {
		return 0, false
	}
	return float64(amountMinor) / float64(MinorPerMajor(currency)) * rate, true
}

// FromEUR converts euros (major units) to minor units of currency, rounded
// to a "nice" price: whole minor units, and whole major units above 100.
// A currency without a reference rate is treated as EUR.
func FromEUR(eur float64, currency string) int64 {
	rate, ok := eurPerUnit[currency]
	if !ok {
		rate = 1
	}
	major := eur / rate
	if major >= 100 {
		major = math.Round(major)
	}
	return int64(math.Round(major * float64(MinorPerMajor(currency))))
}

// MinorPerMajor is 1 for currencies without minor units (JPY), else 100.
func MinorPerMajor(currency string) int64 {
	if currency == "JPY" {
		return 1
	}
	return 100
}
