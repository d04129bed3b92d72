// Formatting of amounts and times for people: amounts from minor units in
// their currency's own fraction digits, times in the viewer's local time.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const numberFormats = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(currency: string, locale?: string): Intl.NumberFormat | null {
  const key = `${locale ?? ""}|${currency}`;
  let f = numberFormats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      f = null; // not an ISO 4217 code Intl knows
    }
    numberFormats.set(key, f);
  }
  return f;
}

/** The number of fraction digits of a currency (EUR 2, JPY 0, KWD 3); 2 when unknown. */
export function currencyDigits(currency: string): number {
  return currencyFormat(currency, "en")?.resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * minorToDecimal writes an amount in minor units as an exact decimal string
 * with `digits` fraction digits: (123456n, 2) → "1234.56", (-5n, 2) → "-0.05".
 */
export function minorToDecimal(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  let s = abs.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, "0");
    s = `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  }
  return negative ? `-${s}` : s;
}

/**
 * formatMoney formats an amount given in minor units of `currency` (cents for
 * EUR) with Intl.NumberFormat, exactly (no float rounding, also past 2^53).
 * An unknown currency code is shown as the decimal and the code.
 */
export function formatMoney(minor: bigint | number, currency: string, locale?: string): string {
  const m = typeof minor === "bigint" ? minor : BigInt(Math.trunc(minor));
  const f = currencyFormat(currency, locale);
  if (!f) return `${minorToDecimal(m, 2)} ${currency || "(no currency)"}`;
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  // Intl.NumberFormat formats decimal strings exactly.
  return f.format(minorToDecimal(m, digits) as unknown as number);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(locale: string | undefined, timeZone: string | undefined, timeOnly: boolean): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${timeZone ?? ""}|${timeOnly}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale,
      timeOnly
        ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone }
        : { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone },
    );
    dateTimeFormats.set(key, f);
  }
  return f;
}

function toDate(t: Timestamp | Date | undefined): Date | undefined {
  if (!t) return undefined;
  return t instanceof Date ? t : timestampDate(t);
}

/**
 * formatTime shows a protobuf Timestamp (or Date) as a date and time in the
 * viewer's local time zone (timeZone and locale only for tests); "—" when
 * unset.
 */
export function formatTime(t: Timestamp | Date | undefined, opts: { locale?: string; timeZone?: string } = {}): string {
  const d = toDate(t);
  if (!d || Number.isNaN(d.getTime())) return "—";
  return dateTimeFormat(opts.locale, opts.timeZone, false).format(d);
}

/** formatClock shows only the local time of day, for chart axes. */
export function formatClock(t: Timestamp | Date | undefined, opts: { locale?: string; timeZone?: string } = {}): string {
  const d = toDate(t);
  if (!d || Number.isNaN(d.getTime())) return "—";
  return dateTimeFormat(opts.locale, opts.timeZone, true).format(d);
}

/** formatPercent shows part/whole as a percentage with one decimal, "—" for an empty whole. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return "—";
  return `${((100 * part) / whole).toFixed(1)} %`;
}
