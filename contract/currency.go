package contract

// Currency is an ISO 4217 code, such as "USD". The zero Currency means USD.
type Currency string

// minorUnits holds the decimal places of the active ISO 4217 currencies.
var minorUnits = func() map[Currency]int32 {
	m := map[Currency]int32{}
	for _, c := range []Currency{"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN",
		"BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
		"CAD", "CDF", "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DKK",
		"DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ",
		"GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW",
		"KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
		"MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
		"PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG",
		"SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
		"TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST",
		"XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL"} {
		m[c] = 2
	}
	for _, c := range []Currency{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
		"UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"} {
		m[c] = 0
	}
	for _, c := range []Currency{"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"} {
		m[c] = 3
	}
	for _, c := range []Currency{"CLF", "UYW"} {
		m[c] = 4
	}
	return m
}()

// ParseCurrency reads an ISO 4217 code ("USD", "JPY", "KWD", …), refusing
// codes it does not know with a *[pricekit.Error] of code invalid_input.
func ParseCurrency(s string) (Currency, error) {
	c := Currency(s)
	if _, ok := minorUnits[c]; !ok {
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return "", bad("", "unknown currency %q (want an ISO 4217 code such as USD)", s)
	}
	return c, nil
}

// Code returns the currency's code, "USD" for the zero Currency.
func (c Currency) Code() string {
	if c == "" {
		return "USD"
	}
	return string(c)
}

// MinorUnit returns the number of decimal places amounts in c are rounded
// to: 2 for USD, EUR and GBP, 0 for JPY and KRW, 3 for KWD and BHD.
func (c Currency) MinorUnit() int32 {
	if u, ok := minorUnits[Currency(c.Code())]; ok {
		return u
	}
	return 2
}

// Valid reports whether c is the zero Currency or a known code.
func (c Currency) Valid() bool {
	_, ok := minorUnits[Currency(c.Code())]
	return ok
}
