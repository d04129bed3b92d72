import { create } from "@bufbuild/protobuf";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { currencyDigits, formatClock, formatMoney, formatPercent, formatTime, minorToDecimal } from "./format.js";

// Intl puts a narrow no-break space (U+202F) or no-break space (U+00A0) in
// some locales; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("minorToDecimal", () => {
  it("places the decimal point by the currency's digits", () => {
    expect(minorToDecimal(123456n, 2)).toBe("1234.56");
    expect(minorToDecimal(5n, 2)).toBe("0.05");
    expect(minorToDecimal(0n, 2)).toBe("0.00");
    expect(minorToDecimal(-5n, 2)).toBe("-0.05");
    expect(minorToDecimal(2499n, 0)).toBe("2499");
    expect(minorToDecimal(1234n, 3)).toBe("1.234");
  });
  it("is exact past 2^53", () => {
    expect(minorToDecimal(9223372036854775807n, 2)).toBe("92233720368547758.07");
  });
});

describe("formatMoney", () => {
  it("formats minor units in the currency's own fraction digits", () => {
    expect(plain(formatMoney(2499n, "EUR", "en-US"))).toBe("€24.99");
    expect(plain(formatMoney(2499n, "EUR", "de-DE"))).toBe("24,99 €");
    expect(plain(formatMoney(2499n, "JPY", "en-US"))).toBe("¥2,499");
    expect(plain(formatMoney(1234n, "KWD", "en-US"))).toBe("KWD 1.234");
    expect(plain(formatMoney(100000n, "USD", "en-US"))).toBe("$1,000.00");
  });
  it("accepts numbers and negative amounts", () => {
    expect(plain(formatMoney(-150, "USD", "en-US"))).toBe("-$1.50");
  });
  it("keeps every digit of huge amounts", () => {
    expect(plain(formatMoney(9223372036854775807n, "USD", "en-US"))).toBe("$92,233,720,368,547,758.07");
  });
  it("shows an unknown currency code as decimal and code", () => {
    expect(formatMoney(2499n, "??", "en-US")).toBe("24.99 ??");
    expect(formatMoney(2499n, "", "en-US")).toBe("24.99 (no currency)");
  });
  it("knows the digits of currencies", () => {
    expect(currencyDigits("EUR")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("BHD")).toBe(3);
  });
});

describe("formatTime", () => {
  const ts = create(TimestampSchema, { seconds: 1767225600n, nanos: 500_000_000 }); // 2026-01-01T00:00:00.5Z
  it("shows a Timestamp in the given time zone", () => {
    expect(formatTime(ts, { locale: "en-GB", timeZone: "UTC" })).toBe("01/01/2026, 00:00:00");
    expect(formatTime(ts, { locale: "en-GB", timeZone: "Europe/Berlin" })).toBe("01/01/2026, 01:00:00");
    expect(formatTime(ts, { locale: "en-GB", timeZone: "America/New_York" })).toBe("31/12/2025, 19:00:00");
  });
  it("uses the local time zone by default", () => {
    const d = new Date(2026, 5, 15, 13, 4, 5); // local time
    expect(formatTime(d, { locale: "en-GB" })).toBe("15/06/2026, 13:04:05");
    expect(formatClock(d, { locale: "en-GB" })).toBe("13:04:05");
  });
  it("shows a dash for a missing time", () => {
    expect(formatTime(undefined)).toBe("—");
    expect(formatClock(new Date(NaN))).toBe("—");
  });
});

describe("formatPercent", () => {
  it("shows one decimal, a dash for nothing", () => {
    expect(formatPercent(1, 3)).toBe("33.3 %");
    expect(formatPercent(0, 0)).toBe("—");
  });
});
