// Package usagelog is the columnar log of accepted usage events that the
// memory store keeps, and that rating uses for events held in memory: one
// [Log] per organization, appended in ingest order, aggregated per period
// with integer arithmetic ([Total]). It accepts nothing on its own: every
// batch goes through usage.Accept, the one acceptance rule.
//
// # Quantities
//
// Quantities are exact decimals. A [Log] and a [Total] hold one as an int64
// at [Scale] (9 decimal places) when it fits, and as a decimal otherwise,
// so that summing a million events costs a million integer additions while
// a quantity of 38 digits is still added exactly.
//
// # Periods
//
// Periods are half-open day ranges, as in package schedule: bounds b0 < b1
// < … < bn make the periods [b0, b1), …, [bn-1, bn).
package usagelog
