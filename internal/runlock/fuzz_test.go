package runlock

import (
	"testing"
	"time"
)

// FuzzParse: Parse never panics, and what it accepts is written back by
// encode to the same holder.
func FuzzParse(f *testing.F) {
	h := Holder{Host: "here", PID: 7, Started: time.Date(2026, 12, 2, 4, 0, 0, 5, time.UTC), Token: newToken(),
		Heartbeat: time.Date(2026, 12, 2, 4, 1, 0, 0, time.UTC)}
	f.Add(encode(h))
	f.Add([]byte("1234\n"))
	f.Add([]byte(""))
	f.Add([]byte(`{"host":"a","pid":1,"started":"2026-01-01T00:00:00+05:00","token":"00000000000000000000000000000000","heartbeat":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := Parse(b)
		if err != nil {
			return
		}
		back, err := Parse(encode(h))
		if err != nil {
			t.Fatalf("encode(%+v) = %q does not parse: %v", h, encode(h), err)
		}
		if back.Host != h.Host || back.PID != h.PID || back.Token != h.Token || !back.Started.Equal(h.Started) || !back.Heartbeat.Equal(h.Heartbeat) {
			t.Fatalf("round trip: %+v became %+v", h, back)
		}
	})
}
