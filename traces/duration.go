package traces

import "time"

// appendDuration appends d.String() to b without allocating: the same
// algorithm as the standard library's time.Duration.format, which is not
// exported (tested against Duration.String).
func appendDuration(b []byte, d time.Duration) []byte {
	// Largest time is 2540400h10m10.000000000s
	var buf [32]byte
	w := len(buf)

	u := uint64(d)
	neg := d < 0
	if neg {
		u = -u
	}

	if u < uint64(time.Second) {
		// Smaller than a second: smaller units, like 1.2ms.
		var prec int
		w--
		buf[w] = 's'
		w--
		switch {
		case u == 0:
			buf[w] = '0'
			return append(b, buf[w:]...)
		case u < uint64(time.Microsecond):
			prec = 0
			buf[w] = 'n'
		case u < uint64(time.Millisecond):
			prec = 3
			// U+00B5 'µ' micro sign == 0xC2 0xB5
			w--
			copy(buf[w:], "µ")
		default:
			prec = 6
			buf[w] = 'm'
		}
		w, u = durFrac(buf[:w], u, prec)
		w = durInt(buf[:w], u)
	} else {
		w--
		buf[w] = 's'
		w, u = durFrac(buf[:w], u, 9)
		// u is now integer seconds
		w = durInt(buf[:w], u%60)
		u /= 60
		// u is now integer minutes
		if u > 0 {
			w--
			buf[w] = 'm'
			w = durInt(buf[:w], u%60)
			u /= 60
			// u is now integer hours
			if u > 0 {
				w--
				buf[w] = 'h'
				w = durInt(buf[:w], u)
			}
		}
	}
	if neg {
		w--
		buf[w] = '-'
	}
	return append(b, buf[w:]...)
}

// durFrac writes the fraction of v/10**prec at the end of buf, omitting
// trailing zeros and a bare decimal point; it returns where the output
// begins and v/10**prec.
func durFrac(buf []byte, v uint64, prec int) (int, uint64) {
	w := len(buf)
	print := false
	for i := 0; i < prec; i++ {
		digit := v % 10
		print = print || digit != 0
		if print {
			w--
			buf[w] = byte(digit) + '0'
		}
		v /= 10
	}
	if print {
		w--
		buf[w] = '.'
	}
	return w, v
}

// durInt writes v in decimal at the end of buf and returns where it begins.
func durInt(buf []byte, v uint64) int {
	w := len(buf)
	if v == 0 {
		w--
		buf[w] = '0'
	} else {
		for v > 0 {
			w--
			buf[w] = byte(v%10) + '0'
			v /= 10
		}
	}
	return w
}
